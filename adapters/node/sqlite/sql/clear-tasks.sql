-- Deletes every task of an instance (the record stays).
-- Parameters: low id, high id.
DELETE FROM tasks WHERE id BETWEEN ? AND ?
