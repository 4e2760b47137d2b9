-- 0001_schema: instances and their tasks.
-- JSON values (settings, params, bodies, results, progress) are kept as the
-- JSON text taskmill wrote, never as jsonb: they come back byte for byte and
-- the server never parses them on the hot path.
-- No foreign key from tasks to instances: a key check per inserted task row
-- would cost more than the insert, and instances are never deleted.

CREATE TABLE instances (
  -- Internal key: a task row carries 8 bytes instead of the instance id; also the creation order.
  ikey        bigint   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id          text     NOT NULL UNIQUE,
  processor   text     NOT NULL,
  settings    text     NOT NULL,
  params      text     NOT NULL,
  status      text     NOT NULL DEFAULT 'RUNNING' CHECK (status IN ('RUNNING', 'SUCCESS', 'FAILED')),
  result      text     NOT NULL DEFAULT 'null',
  serial_num  bigint   NOT NULL,
  owner       text     NOT NULL,
  -- Fencing token: grows by one at every acquisition; every write names it.
  fence       bigint   NOT NULL DEFAULT 1,
  created_at  bigint   NOT NULL,
  finished_at bigint,
  progress    text     NOT NULL DEFAULT 'null'
);

-- listInstances: newest first, optionally one status.
CREATE INDEX instances_newest ON instances (created_at DESC, ikey DESC);
CREATE INDEX instances_status_newest ON instances (status, created_at DESC, ikey DESC);

-- Status updates are HOT updates (no index entry written, the new row
-- version on the same page) as long as no indexed column changes: so no index
-- names status or worker, and pages are filled only half at insert, leaving
-- room for a whole page of new versions (a batch updates runs of neighbouring
-- seqs; the dead versions are pruned when the next batch reads the page).
-- Measured on 100k rows in batches of 1,000: HOT keeps dispatch marks at ~450k
-- rows/s and reports at ~250k/s, against ~110k and ~60-85k with status-based
-- partial indexes at fillfactor 100.
CREATE TABLE tasks (
  ikey      bigint   NOT NULL,
  seq       bigint   NOT NULL,
  task_id   text     NOT NULL,
  parent_id text,
  name      text     NOT NULL,
  body      text     NOT NULL,
  status    smallint NOT NULL DEFAULT 1 CHECK (status BETWEEN 1 AND 5),
  attempt   integer  NOT NULL DEFAULT 0,
  worker    text,
  result    text     NOT NULL DEFAULT 'null',
  -- The owner holds the task in memory; claimInit skips it.
  queued    boolean  NOT NULL,
  -- What claimInit hands out. Kept by the server, and changing only when a
  -- task becomes or stops being claimable, so most updates stay HOT.
  claimable boolean  GENERATED ALWAYS AS (status = 1 AND NOT queued) STORED,
  -- Keyset order of results(); batch updates join on it.
  PRIMARY KEY (ikey, seq)
) WITH (fillfactor = 50);

-- insertTasks' idempotency key (ON CONFLICT) and getTask.
CREATE UNIQUE INDEX tasks_task_id ON tasks (ikey, task_id);
-- claimInit: the claimable tasks only, lowest seq first, so a claim never walks past handed-out ones.
CREATE INDEX tasks_claimable ON tasks (ikey, seq) WHERE claimable;
-- No index on worker: it changes at every dispatch mark, which would then
-- never be HOT. resetWorkerTasks scans the instance's rows instead: a worker
-- dies rarely, tasks are dispatched all the time.
