-- The failure columns of the claimed tasks that have any (claim-init.sql
-- says which), by id; the ? of the IN list is repeated once per id.
-- Parameters: the task ids.
SELECT id & 4294967295 AS seq, failures, not_before, error_message, error_stack
FROM tasks WHERE id IN (/*repeat-list*/ ? /*end*/)
