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
  -- Keyset order of results(), status updates joined on it.
  PRIMARY KEY (ikey, seq)
);

-- insertTasks' idempotency key (ON CONFLICT) and getTask.
CREATE UNIQUE INDEX tasks_task_id ON tasks (ikey, task_id);
-- claimInit: the claimable tasks only, lowest seq first, so a claim never walks past handed-out ones.
CREATE INDEX tasks_claimable ON tasks (ikey, seq) WHERE status = 1 AND NOT queued;
-- resetWorkerTasks: one worker's PULLED and RUNNING tasks, so a worker's failover does not scan the instance.
CREATE INDEX tasks_in_flight ON tasks (ikey, worker) WHERE status IN (2, 3);
