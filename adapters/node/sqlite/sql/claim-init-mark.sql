-- Marks queued the claimable tasks in an id range: run right after
-- claim-init over the range it returned, in the same transaction, it
-- marks exactly the tasks that statement read. Parameters: from id, last id.
UPDATE tasks SET queued = 1
WHERE id BETWEEN ? AND ? AND status = 1 AND queued = 0
