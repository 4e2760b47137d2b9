-- The lowest seq of an instance's FAILED tasks, or NULL: where claimInit
-- must look from once retryFailed made them claimable. Parameters: low id, high id.
SELECT min(id) & 4294967295 FROM tasks WHERE id BETWEEN ? AND ? AND status = 5
