-- Marks queued the INIT tasks of an id range that are not queued: run just
-- before claim_from moves back over them. A claim marks no row (claim_from
-- alone says what it took: every unqueued INIT task below it), so the tasks
-- claimed there get the mark now, and stay held once it moves back.
-- Parameters: from id, last id.
UPDATE tasks SET queued = 1
WHERE id BETWEEN ? AND ? AND status = 1 AND queued = 0
