-- claimInit: marks up to $3 INIT, not queued tasks of instance $1 queued,
-- lowest seq first, when $2 is its fencing token, and returns them. Rows
-- another claim has locked are skipped, so two claims never return one task.
-- Comes back: one row per claimed task (seq order) with the token, or one row
-- of nulls with the token when none was claimed (no row: unknown instance).
-- A row stored before updated_at was kept reads the instance's created_at.
WITH inst AS (
  SELECT ikey, fence, created_at FROM instances WHERE id = $1::text FOR KEY SHARE
), claimed AS (
  UPDATE tasks t SET queued = true
  WHERE t.ikey = (SELECT ikey FROM inst) AND t.seq IN (
    SELECT c.seq FROM tasks c
    WHERE c.ikey = (SELECT ikey FROM inst) AND (SELECT fence FROM inst) = $2::float8
      AND c.claimable
    ORDER BY c.seq
    LIMIT $3::bigint
    FOR UPDATE SKIP LOCKED
  )
  RETURNING t.seq, t.task_id, t.parent_id, t.name, t.body, t.status, t.attempt, t.worker, t.result,
    t.failures, t.not_before, t.error_message, t.error_stack, t.updated_at
)
SELECT inst.fence, c.seq, c.task_id, c.parent_id, c.name, c.body, c.status, c.attempt, c.worker, c.result,
  c.failures, c.not_before, c.error_message, c.error_stack, coalesce(c.updated_at, inst.created_at) AS updated_at
FROM inst LEFT JOIN claimed c ON true
ORDER BY c.seq
