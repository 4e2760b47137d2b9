-- Migration 4: dispatch records (B27), so a restarted master keeps the
-- assignments of its workers instead of running their tasks again.
-- One row per dispatched batch (a push start batch or a pull reply):
--   inst       the instance's num
--   id         grows with each record: the order they were written
--   worker_id  the worker's id, stable across its incarnations
--   worker     the worker key (workerId#incarnation) the batch went to
--   tasks      JSON text [seqs, attempts]: the batch's tasks and the
--              attempt each was handed out at — one row, one write per batch
CREATE TABLE dispatches (
  id        INTEGER PRIMARY KEY,
  inst      INTEGER NOT NULL,
  worker_id TEXT    NOT NULL,
  worker    TEXT    NOT NULL,
  tasks     TEXT    NOT NULL
);
-- listDispatches: an instance's records in id order; clearTasks deletes them.
CREATE INDEX dispatches_by_inst ON dispatches (inst, id);
