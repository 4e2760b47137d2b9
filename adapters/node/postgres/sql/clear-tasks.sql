-- clearTasks: deletes every task of instance $1 when $2 is its fencing token;
-- the instance record stays. Comes back: the token (no row: unknown instance).
WITH inst AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR KEY SHARE
), deleted AS (
  DELETE FROM tasks t
  USING inst
  WHERE inst.fence = $2::float8 AND t.ikey = inst.ikey
)
SELECT fence FROM inst
