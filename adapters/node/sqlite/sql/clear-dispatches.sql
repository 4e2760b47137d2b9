-- Deletes every dispatch record of an instance (clearTasks, replaceDispatches).
-- Parameters: inst.
DELETE FROM dispatches WHERE inst = ?
