-- updateStatuses for a batch some of whose updates give failure fields:
-- update-statuses.sql's columns ($1 to $8, the same way), and per task
-- $9 failures (null: keep), $10 whether to set not_before, $11 not_before,
-- $12 whether to set the error, $13 its message, $14 its stack. Only reports
-- of failed runs carry these, so the usual batch never pays for the arrays.
-- Comes back: the instance's token (no row: unknown instance).
WITH inst AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR KEY SHARE
), updated AS (
  UPDATE tasks t SET
    status        = u.status,
    attempt       = u.attempt,
    worker        = u.worker,
    result        = coalesce(u.result, t.result),
    updated_at    = coalesce(u.updated_at, t.updated_at),
    failures      = coalesce(u.failures, t.failures),
    not_before    = CASE WHEN u.set_not_before THEN u.not_before ELSE t.not_before END,
    error_message = CASE WHEN u.set_error THEN u.error_message ELSE t.error_message END,
    error_stack   = CASE WHEN u.set_error THEN u.error_stack ELSE t.error_stack END
  FROM unnest(
    $3::bigint[], $4::smallint[], $5::integer[], $6::text[], $7::text[], $8::bigint[],
    $9::integer[], $10::boolean[], $11::bigint[], $12::boolean[], $13::text[], $14::text[]
  ) AS u(seq, status, attempt, worker, result, updated_at, failures, set_not_before, not_before, set_error, error_message, error_stack)
  WHERE t.ikey = (SELECT ikey FROM inst WHERE fence = $2::float8) AND t.seq = u.seq
    AND t.seq BETWEEN (SELECT min(x) FROM unnest($3::bigint[]) x) AND (SELECT max(x) FROM unnest($3::bigint[]) x)
)
SELECT fence FROM inst
