-- Lists the instance records in one status, newest first: by created_at,
-- then creation order. Parameters: status, limit (-1 for no limit).
SELECT num, instance_id, processor, settings, params, status, result, serial_num, owner, fence, lease_until, created_at, finished_at, progress,
  failed_count, errors, started_at, retain_until
FROM instances WHERE status = ? ORDER BY created_at DESC, num DESC LIMIT ?
