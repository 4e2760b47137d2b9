-- The highest seq stored for an instance, or NULL without tasks.
-- Parameters: low id, high id.
SELECT max(id) & 4294967295 FROM tasks WHERE id BETWEEN ? AND ?
