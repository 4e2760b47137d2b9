-- createInstance: a RUNNING instance owned by $7 with fencing token 1.
-- No row comes back when the id is taken (DuplicateInstanceError).
INSERT INTO instances (id, processor, settings, params, serial_num, created_at, owner)
VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint, $6::bigint, $7::text)
ON CONFLICT (id) DO NOTHING
RETURNING fence
