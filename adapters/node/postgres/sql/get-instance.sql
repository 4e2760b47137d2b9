-- getInstance: the record of instance $1, or no row.
SELECT id, processor, settings, params, status, result, serial_num, owner, fence, lease_until, created_at, finished_at, progress,
  failed_count, errors, started_at, retain_until
FROM instances
WHERE id = $1::text
