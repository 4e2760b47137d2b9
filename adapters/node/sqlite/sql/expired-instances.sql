-- Lists the RUNNING instances whose lease ran out by now or that hold none,
-- oldest first: by created_at, then creation order. Parameters: now, limit (-1 for no limit).
SELECT num, instance_id, processor, settings, params, status, result, serial_num, owner, fence, lease_until, created_at, finished_at, progress,
  failed_count, errors, started_at, retain_until
FROM instances WHERE status = 'RUNNING' AND (lease_until IS NULL OR lease_until <= ?) ORDER BY created_at, num LIMIT ?
