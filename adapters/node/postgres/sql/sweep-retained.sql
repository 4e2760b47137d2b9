-- sweepRetained: up to $2 instances that are not RUNNING and whose
-- retain_until is set and <= $1 lose their tasks and their retain_until, in
-- one statement; not fenced. A record another sweep, an acquisition or an
-- updateInstance holds locked is skipped, not waited for: two sweeps at once
-- share the work, and each instance is swept once. Comes back: how many.
WITH due AS (
  SELECT ikey FROM instances
  WHERE retain_until IS NOT NULL AND retain_until <= $1::bigint AND status <> 'RUNNING'
  ORDER BY retain_until, ikey
  LIMIT $2::bigint
  FOR NO KEY UPDATE SKIP LOCKED
), released AS (
  UPDATE instances i SET retain_until = NULL FROM due WHERE i.ikey = due.ikey
  RETURNING i.ikey
), deleted AS (
  DELETE FROM tasks t USING released r WHERE t.ikey = r.ikey
)
SELECT count(*)::integer AS swept FROM released
