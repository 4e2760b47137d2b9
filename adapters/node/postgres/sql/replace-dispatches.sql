-- replaceDispatches: when $2 is the fencing token of instance $1, deletes its
-- dispatch records and stores the given ones (worker ids $3, worker keys $4,
-- tasks $5: parallel text arrays) — one statement, so one transaction.
-- Comes back: the token (no row: unknown instance).
WITH inst AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR KEY SHARE
), deleted AS (
  DELETE FROM dispatches d WHERE d.ikey = (SELECT ikey FROM inst WHERE fence = $2::float8)
), inserted AS (
  INSERT INTO dispatches (ikey, worker_id, worker, tasks)
  SELECT inst.ikey, x.w, x.k, x.t
  FROM inst, unnest($3::text[], $4::text[], $5::text[]) AS x(w, k, t)
  WHERE inst.fence = $2::float8
)
SELECT fence FROM inst
