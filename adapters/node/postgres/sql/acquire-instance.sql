-- acquireInstance: owner $2 takes instance $1; its token grows by one and its
-- lease runs until $4 (NULL: no lease). With $3 (the caller's now) it takes
-- the instance only when it holds no lease, its lease ran out by $3, or $2
-- holds it already; with $3 NULL, always.
-- FOR UPDATE waits for every write in flight (they hold FOR KEY SHARE on the
-- row), so no write of the deposed owner lands after the new token is out;
-- two masters racing for one instance are serialized here, and the second
-- sees the first one's lease.
-- Comes back: the owner and lease as they were, and the new token (NULL when
-- the lease is held by another owner). No row: unknown instance.
WITH cur AS (
  SELECT ikey, owner, lease_until FROM instances WHERE id = $1::text FOR UPDATE
), taken AS (
  UPDATE instances i SET owner = $2::text, fence = i.fence + 1, lease_until = $4::bigint
  FROM cur
  WHERE i.ikey = cur.ikey
    AND ($3::bigint IS NULL OR cur.lease_until IS NULL OR cur.lease_until <= $3::bigint OR cur.owner = $2::text)
  RETURNING i.fence
)
SELECT cur.owner, cur.lease_until, (SELECT fence FROM taken) AS taken FROM cur
