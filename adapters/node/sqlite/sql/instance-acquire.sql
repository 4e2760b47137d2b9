-- Takes ownership of an instance: records the owner, grows the fencing token
-- by one and returns the new token (no row for an unknown instance).
-- Parameters: owner, instance_id.
UPDATE instances SET owner = ?, fence = fence + 1 WHERE instance_id = ? RETURNING fence
