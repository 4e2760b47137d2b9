-- retryFailed: every FAILED task of an instance back to INIT for another
-- run: attempt + 1, failures 0, no backoff to wait, no worker, null result,
-- not queued; the last error stays for inspection. Parameters: low id, high id.
UPDATE tasks SET status = 1, attempt = attempt + 1, failures = 0, not_before = NULL, worker = NULL, result = NULL, queued = 0
WHERE id BETWEEN ? AND ? AND status = 5
