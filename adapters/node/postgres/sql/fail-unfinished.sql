-- failUnfinished: every INIT, PULLED or RUNNING task of instance $1 fails
-- with result $3 (JSON text), worker and attempt kept, when $2 is its fencing
-- token (kill). Comes back: the token and how many changed.
WITH inst AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR KEY SHARE
), updated AS (
  UPDATE tasks t SET status = 5, result = $3::text
  WHERE t.ikey = (SELECT ikey FROM inst WHERE fence = $2::float8) AND t.status IN (1, 2, 3)
  RETURNING 1
)
SELECT fence, (SELECT count(*) FROM updated)::integer AS changed FROM inst
