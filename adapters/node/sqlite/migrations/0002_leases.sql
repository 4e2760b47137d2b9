-- Migration 2: leases, for several masters sharing one store.
-- lease_until: when the owner's lease runs out (ms since epoch, the masters'
-- clock); NULL when the owner holds none (a master running alone, or an
-- instance from before this migration). The fencing token, not the lease,
-- keeps a deposed owner from writing: the lease only says when another
-- master may take the instance over.
ALTER TABLE instances ADD COLUMN lease_until INTEGER;
