-- Reads one instance record by its id. Parameters: instance_id.
SELECT num, instance_id, processor, settings, params, status, result, serial_num, owner, fence, lease_until, created_at, finished_at, progress,
  failed_count, errors, started_at, retain_until
FROM instances WHERE instance_id = ?
