-- The lowest seq among the given tasks that are neither INIT nor queued: a
-- status write setting them INIT makes them claimable (no claim handed them
-- out). NULL when there is none. The `?` in the IN list is repeated once
-- per id. Parameters: the task ids.
SELECT min(id & 4294967295) FROM tasks
WHERE id IN (/*repeat-list*/ ? /*end*/) AND status <> 1 AND queued = 0
