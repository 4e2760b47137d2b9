-- Finds an instance's num (the key of its tasks) by its id.
-- Parameters: instance_id.
SELECT num FROM instances WHERE instance_id = ?
