-- Resume with failover: PULLED and RUNNING tasks back to INIT with
-- attempt + 1, no worker, no backoff to wait, not queued (failures and
-- error stay). Parameters: low id, high id.
UPDATE tasks SET status = 1, attempt = attempt + 1, worker = NULL, not_before = NULL, queued = 0
WHERE id BETWEEN ? AND ? AND status IN (2, 3)
