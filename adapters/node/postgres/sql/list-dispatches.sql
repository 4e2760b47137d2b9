-- listDispatches: the dispatch records of instance $1 with id above $2, in id
-- order, at most $3.
SELECT id::float8 AS id, worker_id AS "workerId", worker, tasks
FROM dispatches
WHERE ikey = (SELECT ikey FROM instances WHERE id = $1::text) AND id > $2::bigint
ORDER BY id
LIMIT $3::integer
