-- A3: a page of instance records, newest first (created_at, then creation
-- order): only status @status and processor @processor unless null, only
-- those listed after instance @before unless null (its position, whatever
-- its status now; none when it does not exist), at most @limit (-1: all).
SELECT num, instance_id, processor, settings, params, status, result, serial_num, owner, fence, lease_until, created_at, finished_at, progress,
  failed_count, errors, started_at, retain_until
FROM instances
WHERE (@status IS NULL OR status = @status)
  AND (@processor IS NULL OR processor = @processor)
  AND (@before IS NULL OR (created_at, num) < (SELECT b.created_at, b.num FROM instances b WHERE b.instance_id = @before))
ORDER BY created_at DESC, num DESC LIMIT @limit
