-- 0004_dispatches: dispatch records (B27), so a restarted or taking-over
-- master keeps the assignments of the workers that come back instead of
-- running their tasks again. One row per dispatched batch (a push start
-- batch or a pull reply), one write per batch:
--   ikey       the instance
--   id         grows with each record: the order they were written
--   worker_id  the worker's id, stable across its incarnations
--   worker     the worker key (workerId#incarnation) the batch went to
--   tasks      JSON text [seqs, attempts]: the batch's tasks and the attempt
--              each was handed out at
CREATE TABLE dispatches (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ikey      bigint NOT NULL,
  worker_id text   NOT NULL,
  worker    text   NOT NULL,
  tasks     text   NOT NULL
);
-- listDispatches walks an instance's records in id order; clearTasks deletes them.
CREATE INDEX dispatches_by_instance ON dispatches (ikey, id);
