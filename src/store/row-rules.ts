/**
 * The row transitions of the TaskStore contract, written once for the
 * backends that apply them row by row in code (memory, Deno KV, IndexedDB):
 * which rows are claimable and which are in flight, and what failover, fail,
 * unqueue, claim, the resume reset and a retry make of a row. The SQL
 * backends state the same rules in their statements
 * (`reset-for-resume-failover.sql`, `retry-failed.sql`, …).
 *
 * Pure functions over the fields a rule reads; a transition returns the row's
 * whole next state (and its new result as JSON text when that changes), so a
 * backend writes it and keeps its indexes in step from old and new state.
 */
import { FAILED, INIT, PULLED, RUNNING } from "../../core-as/shared/constants.ts";
import { type CheckedUpdate, NULL_TEXT } from "./input.ts";
import type { TaskError, TaskStatusCode } from "./task-store.ts";

/** The fields of a stored task the rules read and change. */
export interface RowState {
  readonly status: TaskStatusCode;
  readonly attempt: number;
  readonly worker: string | null;
  /** The owner holds the task in memory; claimInit skips it. */
  readonly queued: boolean;
  readonly failures: number;
  readonly notBefore: number | null;
  readonly error: TaskError | null;
  /** Clock ms of the last write that gave one; undefined for a row stored before it was kept. */
  readonly updatedAt: number | undefined;
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

/** `row` with status, attempt, worker and queued as given; the failure fields and updatedAt stay. */
function moved(row: RowState, status: TaskStatusCode, attempt: number, worker: string | null, queued: boolean): RowChange {
  return {
    status, attempt, worker, queued, failures: row.failures, notBefore: row.notBefore, error: row.error, updatedAt: row.updatedAt,
  };
}

/** Failover: back to INIT for another attempt, no worker, not waiting, `queued` as the owner says; failures and error stay. */
export function failedOver(row: RowState, queued: boolean): RowChange {
  return { ...moved(row, INIT, row.attempt + 1, null, queued), notBefore: null };
}

/** Fail: FAILED with `result` (JSON text); worker, attempt, queued and the failure fields stay. */
export function failed(row: RowState, result: string): RowChange {
  return { ...moved(row, FAILED, row.attempt, row.worker, row.queued), result };
}

/** Unqueue: claimInit may hand the row out again. */
export function unqueued(row: RowState): RowChange {
  return moved(row, row.status, row.attempt, row.worker, false);
}

/** Claim: queued, its status staying INIT, so no other claim returns it. */
export function claimed(row: RowState): RowChange {
  return moved(row, row.status, row.attempt, row.worker, true);
}

/** updateStatuses: status, attempt, worker, and each optional field when given; queued stays. */
export function updated(row: RowState, u: CheckedUpdate): RowChange {
  const f = u.failure;
  return {
    status: u.status,
    attempt: u.attempt,
    worker: u.worker,
    queued: row.queued,
    failures: f?.failures ?? row.failures,
    notBefore: f?.notBefore === undefined ? row.notBefore : f.notBefore,
    error: f?.error === undefined ? row.error : f.error,
    updatedAt: u.at ?? row.updatedAt,
    ...(u.result === undefined ? {} : { result: u.result }),
  };
}

/**
 * retryFailed: a FAILED row goes back to INIT for another run, attempt + 1,
 * failures 0, not waiting, no worker, null result, claimable; its last error
 * stays. Any other row is left (null).
 */
export function retried(row: RowState): RowChange | null {
  if (row.status !== FAILED) return null;
  return { ...moved(row, INIT, row.attempt + 1, null, false), failures: 0, notBefore: null, result: NULL_TEXT };
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
 * the last update's status, attempt and worker, and of each optional field
 * (result, failures, notBefore, error, at) the last one given.
 */
export function lastUpdateOfEachSeq(updates: readonly CheckedUpdate[]): Map<number, CheckedUpdate> {
  const out = new Map<number, CheckedUpdate>();
  for (const u of updates) {
    const had = out.get(u.seq);
    out.set(u.seq, had === undefined ? u : merged(had, u));
  }
  return out;
}

/** `later` applied after `earlier` to one seq. */
export function merged(earlier: CheckedUpdate, later: CheckedUpdate): CheckedUpdate {
  const a = earlier.failure;
  const b = later.failure;
  // Failure objects hold only the fields given (checkUpdateFailure): the later one's replace just those.
  const failure = a === undefined ? b : b === undefined ? a : { ...a, ...b };
  return { ...later, result: later.result ?? earlier.result, failure, at: later.at ?? earlier.at };
}
