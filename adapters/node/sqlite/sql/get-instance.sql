-- Reads one instance record by its id. Parameters: instance_id.
SELECT num, instance_id, processor, settings, params, status, result, serial_num, owner, fence, lease_until, created_at, finished_at, progress
FROM instances WHERE instance_id = ?
