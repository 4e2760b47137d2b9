-- Reads who holds an instance's lease and until when, inside the
-- transaction that may take it over. Parameters: instance_id.
SELECT owner, lease_until FROM instances WHERE instance_id = ?
