-- recordDispatch: one dispatched batch, one row.
-- Parameters: inst, worker_id, worker, tasks (JSON text [seqs, attempts]).
INSERT INTO dispatches (inst, worker_id, worker, tasks) VALUES (?, ?, ?, ?)
