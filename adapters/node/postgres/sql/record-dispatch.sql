-- recordDispatch: stores one dispatched batch of instance $1 as one row when
-- $2 is its fencing token: worker id $3, worker key $4, tasks $5 (JSON text
-- [seqs, attempts]). Comes back: the token (no row: unknown instance).
WITH inst AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR KEY SHARE
), inserted AS (
  INSERT INTO dispatches (ikey, worker_id, worker, tasks)
  SELECT ikey, $3::text, $4::text, $5::text FROM inst WHERE fence = $2::float8
)
SELECT fence FROM inst
