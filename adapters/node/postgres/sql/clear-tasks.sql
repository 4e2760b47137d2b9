-- clearTasks: deletes every task and dispatch record of instance $1 when $2
-- is its fencing token; the instance record stays. Comes back: the token (no
-- row: unknown instance).
WITH inst AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR KEY SHARE
), deleted AS (
  DELETE FROM tasks t
  WHERE t.ikey = (SELECT ikey FROM inst WHERE fence = $2::float8)
), deleted_dispatches AS (
  DELETE FROM dispatches d
  WHERE d.ikey = (SELECT ikey FROM inst WHERE fence = $2::float8)
)
SELECT fence FROM inst
