-- Migration 1: the first taskmill schema.
-- Applied by migrate.ts inside one transaction, which then records version 1
-- in taskmill_schema. Never edit a released migration: add 0002_….sql instead.

-- The schema version of this file; exactly one row. Its presence is what
-- marks a SQLite file as a taskmill store.
CREATE TABLE taskmill_schema (
  version INTEGER NOT NULL
);
INSERT INTO taskmill_schema (version) VALUES (0);

-- One row per instance. `num` is a small integer assigned at creation: it
-- orders instances created in the same millisecond and keys their tasks.
-- `claim_from`: no task below this seq is claimable (INIT and not queued), so
-- claimInit starts there; every write that can make a task claimable lowers it.
-- JSON values (here and in tasks) are stored as JSON text; a JSON null as SQL NULL.
CREATE TABLE instances (
  num         INTEGER PRIMARY KEY,
  instance_id TEXT    NOT NULL UNIQUE,
  processor   TEXT    NOT NULL,
  settings    TEXT,
  params      TEXT,
  status      TEXT    NOT NULL,
  result      TEXT,
  serial_num  INTEGER NOT NULL,
  owner       TEXT    NOT NULL,
  fence       INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  finished_at INTEGER,
  progress    TEXT,
  claim_from  INTEGER NOT NULL DEFAULT 0
);
-- listInstances: newest first, optionally in one status.
CREATE INDEX instances_by_created ON instances (created_at, num);
CREATE INDEX instances_by_status ON instances (status, created_at, num);

-- One row per task. `id` = instance num * 2^32 + seq, so every write by seq
-- hits the integer primary key and an instance's tasks are one id range in
-- seq order. `queued` = 1 while the owner holds the task in memory.
CREATE TABLE tasks (
  id        INTEGER PRIMARY KEY,
  inst      INTEGER NOT NULL,
  task_id   TEXT    NOT NULL,
  parent_id TEXT,
  name      TEXT    NOT NULL,
  body      TEXT,
  status    INTEGER NOT NULL,
  attempt   INTEGER NOT NULL,
  worker    TEXT,
  result    TEXT,
  queued    INTEGER NOT NULL
);
-- A taskId is stored once per instance: what makes insertTasks idempotent.
-- (No index serves claimInit: it walks the primary key from the instance's
-- claim_from, which costs less than keeping an index of claimable tasks.)
CREATE UNIQUE INDEX tasks_by_task_id ON tasks (inst, task_id);
