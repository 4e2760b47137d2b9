-- Resume: INIT tasks the previous owner held in memory become claimable
-- again. Parameters: low id, high id.
UPDATE tasks SET queued = 0
WHERE id BETWEEN ? AND ? AND status = 1 AND queued = 1
