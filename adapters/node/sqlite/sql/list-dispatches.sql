-- listDispatches: one page of an instance's dispatch records in id order.
-- Parameters: inst, afterId, limit.
SELECT id, worker_id AS workerId, worker, tasks FROM dispatches WHERE inst = ? AND id > ? ORDER BY id LIMIT ?
