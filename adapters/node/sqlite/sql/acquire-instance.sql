-- Takes ownership of an instance: records the owner, grows the fencing token
-- by one, sets the lease (NULL: none) and returns the new token (no row for
-- an unknown instance). Parameters: owner, lease_until, instance_id.
UPDATE instances SET owner = ?, fence = fence + 1, lease_until = ? WHERE instance_id = ? RETURNING fence
