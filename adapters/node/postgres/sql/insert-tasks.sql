-- insertTasks: stores a batch of instance $1 as INIT, attempt 0, no worker,
-- null result, when $2 is its fencing token. Columns come as arrays, one
-- element per task: $3 seq, $4 task id (no repeats), $5 parent id, $6 name,
-- $7 body (JSON text), $8 queued, $9 updated_at (NULL, or a NULL element:
-- 0). A task whose task id is stored already is
-- skipped; a seq held by another task id fails the statement (tasks_pkey).
-- Stored task ids are looked up first (one index probe per task; OFFSET 0
-- keeps it a probe, never a hash of the whole instance): ~10 % cheaper than
-- ON CONFLICT, whose speculative insertion writes twice per row. A task a
-- concurrent statement stored meanwhile fails this one with a unique
-- violation once the other commits; run again, it sees that task and skips it.
-- Comes back: the token the instance row holds (no row: unknown instance) and
-- a '0'/'1' mask in batch order, null when every task was stored now (or the
-- token is not the current one). A skipped task is '1' when its task id is
-- stored under its own seq (by an earlier attempt of the same batch), '0'
-- under another: only skipped tasks are probed for their stored seq, and
-- the probe sees the rows as they were before this statement.
WITH inst AS (
  SELECT ikey, fence FROM instances WHERE id = $1::text FOR KEY SHARE
), stored AS (
  INSERT INTO tasks (ikey, seq, task_id, parent_id, name, body, queued, updated_at)
  SELECT inst.ikey, u.seq, u.task_id, u.parent_id, u.name, u.body, u.queued, coalesce(u.updated_at, 0)
  FROM inst, unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::bigint[])
    AS u(seq, task_id, parent_id, name, body, queued, updated_at)
  WHERE inst.fence = $2::float8
    AND NOT EXISTS (SELECT 1 FROM tasks x WHERE x.ikey = inst.ikey AND x.task_id = u.task_id OFFSET 0)
  RETURNING task_id
)
SELECT inst.fence,
  CASE WHEN inst.fence <> $2::float8 OR (SELECT count(*) FROM stored) = cardinality($4::text[]) THEN NULL ELSE (
    SELECT string_agg(CASE
        WHEN s.task_id IS NOT NULL THEN '1'
        WHEN (SELECT x.seq FROM tasks x WHERE x.ikey = inst.ikey AND x.task_id = b.task_id) = b.seq THEN '1'
        ELSE '0' END, '' ORDER BY b.ord)
    FROM unnest($3::bigint[], $4::text[]) WITH ORDINALITY AS b(seq, task_id, ord)
    LEFT JOIN stored s ON s.task_id = b.task_id
  ) END AS mask
FROM inst
