-- 0002_leases: several masters on one database hold their instances through leases.
-- lease_until: when the owner's lease runs out (ms since epoch, the masters'
-- clock); NULL when the owner holds none (a master running alone, or an
-- instance from before this migration): any master may take it over.
-- Safety does not rest on it: the fencing token (fence) refuses a deposed
-- owner's writes whatever its clock says; the lease only says when another
-- master may take the instance.
ALTER TABLE instances ADD COLUMN lease_until bigint;

-- expiredInstances: the RUNNING instances only (few), oldest first.
CREATE INDEX instances_running_oldest ON instances (created_at, ikey) WHERE status = 'RUNNING';
