/**
 * The row transitions of the TaskStore contract, written once for the
 * backends that apply them row by row in code (memory, Deno KV, IndexedDB):
 * which rows are claimable and which are in flight, and what failover, fail,
 * unqueue, claim and the resume reset make of a row. The SQL backends state
 * the same rules in their statements (`reset-worker-tasks-to-init.sql`, …).
 *
 * Pure functions over the fields a rule reads; a transition returns the row's
 * whole next state (and its new result as JSON text when that changes), so a
 * backend writes it and keeps its indexes in step from old and new state.
 */
import { FAILED, INIT, PULLED, RUNNING } from "../../core-as/shared/constants.ts";
import type { CheckedReset, CheckedUpdate } from "./input.ts";
import type { TaskStatusCode } from "./task-store.ts";

/** The fields of a stored task the rules read and change. */
export interface RowState {
  readonly status: TaskStatusCode;
  readonly attempt: number;
  readonly worker: string | null;
  /** The owner holds the task in memory; claimInit skips it. */
  readonly queued: boolean;
}

/** A row's next state; `result` is its new result as JSON text, absent when the result stays. */
export interface RowChange extends RowState {
  readonly result?: string;
}

/** Handed to a worker and not finished: PULLED or RUNNING. */
export function isInFlight(status: TaskStatusCode): boolean {
  return status === PULLED || status === RUNNING;
}

/** Not finished: INIT, PULLED or RUNNING (what a kill fails). */
export function isUnfinished(status: TaskStatusCode): boolean {
  return status === INIT || isInFlight(status);
}

/** INIT and not queued: claimInit may hand it out. */
export function isClaimable(row: Pick<RowState, "status" | "queued">): boolean {
  return row.status === INIT && !row.queued;
}

/** The worker a row is in flight at, or null when it is not in flight. */
export function inFlightAt(row: Pick<RowState, "status" | "worker">): string | null {
  return isInFlight(row.status) ? row.worker : null;
}

/** Failover: back to INIT for another attempt, no worker, `queued` as the owner says. */
export function failedOver(row: RowState, queued: boolean): RowChange {
  return { status: INIT, attempt: row.attempt + 1, worker: null, queued };
}

/** Fail: FAILED with `result` (JSON text); worker, attempt and queued stay. */
export function failed(row: RowState, result: string): RowChange {
  return { status: FAILED, attempt: row.attempt, worker: row.worker, queued: row.queued, result };
}

/** Unqueue: claimInit may hand the row out again. */
export function unqueued(row: RowState): RowChange {
  return { status: row.status, attempt: row.attempt, worker: row.worker, queued: false };
}

/** Claim: queued, its status staying INIT, so no other claim returns it. */
export function claimed(row: RowState): RowChange {
  return { status: row.status, attempt: row.attempt, worker: row.worker, queued: true };
}

/** setStatus (the dispatch mark): status and worker; attempt, result and queued stay. */
export function marked(row: RowState, status: TaskStatusCode, worker: string | null): RowChange {
  return { status, attempt: row.attempt, worker, queued: row.queued };
}

/** updateStatuses: status, attempt, worker, and the result when given; queued stays. */
export function updated(row: RowState, u: CheckedUpdate): RowChange {
  const next = { status: u.status, attempt: u.attempt, worker: u.worker, queued: row.queued };
  return u.result === undefined ? next : { ...next, result: u.result };
}

/** resetWorkerTasks: a row in flight at `worker` fails over or fails as `to` says; any other row is left (null). */
export function workerReset(row: RowState, worker: string, to: CheckedReset): RowChange | null {
  if (inFlightAt(row) !== worker) return null;
  return to.status === INIT ? failedOver(row, to.queued) : failed(row, to.result);
}

/** failUnfinished (kill): an unfinished row fails with `result`; a finished one is left (null). */
export function killed(row: RowState, result: string): RowChange | null {
  return isUnfinished(row.status) ? failed(row, result) : null;
}

/**
 * resetForResume: a row in flight fails over, not queued (`failover`), or
 * fails with `result`; a queued INIT row is unqueued; the rest are left (null).
 */
export function resumed(row: RowState, failover: boolean, result: string): RowChange | null {
  if (isInFlight(row.status)) return failover ? failedOver(row, false) : failed(row, result);
  return row.status === INIT && row.queued ? unqueued(row) : null;
}

/**
 * One update per seq, as applying a batch in order would leave each row:
 * the last update's status, attempt and worker, and the last result given.
 */
export function lastUpdateOfEachSeq(updates: readonly CheckedUpdate[]): Map<number, CheckedUpdate> {
  const out = new Map<number, CheckedUpdate>();
  for (const u of updates) {
    const had = out.get(u.seq);
    out.set(u.seq, had === undefined || u.result !== undefined || had.result === undefined ? u : { ...u, result: had.result });
  }
  return out;
}
