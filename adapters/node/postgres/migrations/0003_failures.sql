-- 0003_failures: what failure handling keeps (retries with backoff, stored
-- errors, failed tasks run again, tasks retained for a while after the end).
-- Every column comes with a constant default or none, so adding it rewrites
-- no row (PostgreSQL 11+), and none of them is indexed: status writes stay
-- HOT updates (see 0001).
-- Tasks:
--   failures      runs of the task that ended in failure
--   not_before    clock ms before which it must not be dispatched (a retry
--                 waiting out its backoff); NULL: now
--   error_message, error_stack
--                 its last failure (bounded by the store: 4 KiB and 16 KiB
--                 of UTF-8); NULL message: none. Two text columns, not JSON:
--                 a write without an error sends and parses nothing for it
--   updated_at    clock ms of the row's last write that gave one; NULL for
--                 rows stored before this migration, read as the instance's
--                 created_at
ALTER TABLE tasks ADD COLUMN failures integer NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN not_before bigint;
ALTER TABLE tasks ADD COLUMN error_message text;
ALTER TABLE tasks ADD COLUMN error_stack text;
ALTER TABLE tasks ADD COLUMN updated_at bigint;

-- Instances:
--   failed_count  tasks that failed for good
--   errors        JSON text of some failed tasks (at most 10)
--   started_at    when the current cycle or run started; NULL for records
--                 from before this migration
--   retain_until  when the tasks kept after the end may be swept; NULL:
--                 nothing retained, or not finished
ALTER TABLE instances ADD COLUMN failed_count bigint NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN errors text NOT NULL DEFAULT '[]';
ALTER TABLE instances ADD COLUMN started_at bigint;
ALTER TABLE instances ADD COLUMN retain_until bigint;

-- sweepRetained: the instances with tasks retained, soonest due first (few rows).
CREATE INDEX instances_retained ON instances (retain_until, ikey) WHERE retain_until IS NOT NULL;

-- listTasks walks the primary key (ikey, seq), its status and name filters
-- applied on the way: an index naming status would end HOT updates.
