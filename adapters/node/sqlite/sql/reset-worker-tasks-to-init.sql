-- Fails over the PULLED and RUNNING tasks of one worker: back to INIT with
-- attempt + 1, no worker and no backoff to wait (failures and error stay);
-- returns their seqs. Parameters: queued, low id, high id, worker.
UPDATE tasks SET status = 1, attempt = attempt + 1, worker = NULL, not_before = NULL, queued = ?
WHERE id BETWEEN ? AND ? AND worker = ? AND status IN (2, 3)
RETURNING id & 4294967295 AS seq
