-- Migration 3: what failure handling keeps (retries with backoff, stored
-- errors, failed tasks run again, tasks retained for a while after the end).
-- Tasks:
--   failures      runs of the task that ended in failure
--   not_before    clock ms before which it must not be dispatched (a retry
--                 waiting out its backoff); NULL: now
--   error_message, error_stack
--                 its last failure (bounded by the store: 4 KiB and 16 KiB
--                 of UTF-8); NULL message: none. Two text columns, not JSON:
--                 a write without an error binds two NULLs and parses nothing
--   updated_at    clock ms of the row's last write that gave one; NULL for
--                 rows stored before this migration, read as the instance's
--                 created_at (so upgrading rewrites no task row)
-- Instances:
--   failed_count  tasks that failed for good
--   errors        JSON text of some failed tasks (at most 10); NULL: none
--   started_at    when the current cycle or run started; NULL for records
--                 from before this migration
--   retain_until  when the tasks kept after the end may be swept; NULL:
--                 nothing retained, or not finished
ALTER TABLE tasks ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN not_before INTEGER;
ALTER TABLE tasks ADD COLUMN error_message TEXT;
ALTER TABLE tasks ADD COLUMN error_stack TEXT;
ALTER TABLE tasks ADD COLUMN updated_at INTEGER;

ALTER TABLE instances ADD COLUMN failed_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN errors TEXT;
ALTER TABLE instances ADD COLUMN started_at INTEGER;
ALTER TABLE instances ADD COLUMN retain_until INTEGER;

-- sweepRetained: the instances with tasks retained, soonest due first. Few
-- rows carry a retain_until, so the partial index stays small.
CREATE INDEX instances_by_retain ON instances (retain_until, num) WHERE retain_until IS NOT NULL;

-- listTasks walks an instance's tasks by the primary key (id order is seq
-- order), its status and name filters applied on the way: an index on status
-- would be rewritten at every status write, the hot path.
