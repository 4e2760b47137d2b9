-- createInstance: a RUNNING instance owned by $7 with fencing token 1, its
-- lease running until $8 (NULL: no lease), started at $9; no failures,
-- nothing retained. No row comes back when the id is taken (DuplicateInstanceError).
INSERT INTO instances (id, processor, settings, params, serial_num, created_at, owner, lease_until, started_at)
VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint, $6::bigint, $7::text, $8::bigint, $9::bigint)
ON CONFLICT (id) DO NOTHING
RETURNING fence
