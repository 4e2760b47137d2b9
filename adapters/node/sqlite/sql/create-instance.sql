-- Creates an instance owned by its creator with fencing token 1 and its
-- lease (NULL: none), no failures, nothing retained; returns its num, or no
-- row when the instance id is taken.
-- Parameters: instance_id, processor, settings, params, serial_num, owner, created_at, lease_until, started_at.
INSERT INTO instances (instance_id, processor, settings, params, status, result, serial_num, owner, fence, created_at, finished_at, progress, lease_until, started_at)
VALUES (?, ?, ?, ?, 'RUNNING', NULL, ?, ?, 1, ?, NULL, NULL, ?, ?)
ON CONFLICT (instance_id) DO NOTHING
RETURNING num
