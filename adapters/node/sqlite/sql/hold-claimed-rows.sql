-- Marks queued the given tasks that are INIT and not queued: below
-- claim_from those are tasks a claim handed out (it marks no row), and a
-- status write sending them back to INIT leaves them with their owner. The
-- `?` in the IN list is repeated once per id. Parameters: the task ids.
UPDATE tasks SET queued = 1
WHERE id IN (/*repeat-list*/ ? /*end*/) AND status = 1 AND queued = 0
