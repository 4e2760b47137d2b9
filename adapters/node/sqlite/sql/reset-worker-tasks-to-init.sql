-- Fails over the PULLED and RUNNING tasks of one worker: back to INIT with
-- attempt + 1 and no worker; returns their seqs.
-- Parameters: queued, low id, high id, worker.
UPDATE tasks SET status = 1, attempt = attempt + 1, worker = NULL, queued = ?
WHERE id BETWEEN ? AND ? AND worker = ? AND status IN (2, 3)
RETURNING id & 4294967295 AS seq
