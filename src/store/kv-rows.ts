/**
 * The stored shape of instances and task rows in the key-value stores (Deno
 * KV, IndexedDB), and their encoding and decoding. Keys: kv-keys.ts.
 *
 * JSON fields are stored as `V`: JSON text for IndexedDB; for Deno KV, text
 * or the parts it was split into when too big for one value (its loader turns
 * them back into text before decoding). Task rows use one-letter keys: a
 * store holds millions of them.
 *
 * Fields added after the first release are optional in the stored shapes: a
 * row or record written before them decodes with their defaults (failures 0,
 * no notBefore, no error, updatedAt the instance's createdAt; failedCount 0,
 * no errors, startedAt null, retainUntil null).
 */
import { INIT } from "../../core-as/shared/constants.ts";
import { type CheckedInstance, type CheckedPatch, type CheckedTask, decodeJson, NULL_TEXT } from "./input.ts";
import { isClaimable, type RowState } from "./row-rules.ts";
import type {
  InstanceRecord, InstanceStatus, ResultRow, StatusCount, TaskError, TaskErrorSummary, TaskRow, TaskStatusCode,
} from "./task-store.ts";

/** ["t", space, seq]: one task. */
export interface StoredRow<V = string> {
  /** taskId */
  readonly t: string;
  /** parentId */
  readonly p: string | null;
  /** name */
  readonly n: string;
  /** body */
  readonly b: V;
  /** status */
  readonly s: TaskStatusCode;
  /** attempt */
  readonly a: number;
  /** worker */
  readonly w: string | null;
  /** result */
  readonly r: V;
  /** queued: the owner holds it in memory; claimInit skips it */
  readonly q: boolean;
  /** failures; absent: 0 */
  readonly f?: number;
  /** notBefore; absent: null */
  readonly nb?: number | null;
  /** error, bounded; absent: null */
  readonly e?: TaskError | null;
  /** updatedAt; absent: written before it was kept (the instance's createdAt) */
  readonly u?: number;
}

/** ["inst", id]: the record without owner, fence and lease. */
export interface StoredInstance<V = string> {
  /** Creation order, the tie-break of the indexes by createdAt. */
  readonly order: number;
  readonly processor: string;
  readonly settings: V;
  readonly params: V;
  readonly status: InstanceStatus;
  readonly result: V;
  readonly serialNum: number;
  readonly createdAt: number;
  readonly finishedAt: number | null;
  readonly progress: V;
  /** Absent: 0. */
  readonly failedCount?: number;
  /** The summaries as JSON text; absent: []. */
  readonly errors?: V;
  /** Absent: null (a record from before it was kept). */
  readonly startedAt?: number | null;
  /** Absent: null. */
  readonly retainUntil?: number | null;
}

/** ["fence", id]: what both backends keep there (each adds its own fields). */
export interface StoredFence {
  readonly owner: string;
  readonly token: number;
}

/** The JSON fields of an instance as text; `errors` absent for a record written before it was kept. */
export type InstanceTexts = Pick<StoredInstance<string>, "settings" | "params" | "result" | "progress" | "errors">;

/** The JSON text of no errors. */
export const NO_ERRORS_TEXT = "[]";

/** A new instance record: RUNNING, no result, not finished, no final counters, no failures, nothing retained. */
export function newInstance<V>(order: number, c: CheckedInstance, settings: V, params: V): StoredInstance<V | string> {
  return {
    order, processor: c.processor, settings, params, status: "RUNNING", result: NULL_TEXT,
    serialNum: c.serialNum, createdAt: c.createdAt, finishedAt: null, progress: NULL_TEXT,
    failedCount: 0, errors: NO_ERRORS_TEXT, startedAt: c.startedAt, retainUntil: null,
  };
}

/**
 * The record with `p` applied; `result`, `progress` and `errors` are the
 * stored values to keep (the old ones when not patched).
 */
export function patchedInstance<V>(old: StoredInstance<V>, p: CheckedPatch, result: V, progress: V, errors: V | undefined): StoredInstance<V> {
  return {
    ...old,
    status: p.status ?? old.status,
    result,
    progress,
    serialNum: p.serialNum ?? old.serialNum,
    finishedAt: p.finishedAt === undefined ? old.finishedAt : p.finishedAt,
    failedCount: p.failedCount ?? old.failedCount ?? 0,
    errors,
    startedAt: p.startedAt === undefined ? old.startedAt ?? null : p.startedAt,
    retainUntil: p.retainUntil === undefined ? old.retainUntil ?? null : p.retainUntil,
  };
}

/** The record as the store hands it out, from its stored parts and its JSON fields as text. */
export function decodeInstance(
  id: string, f: StoredFence, leaseUntil: number | null, v: StoredInstance<unknown>, text: InstanceTexts,
): InstanceRecord {
  return {
    instanceId: id, processor: v.processor, settings: decodeJson(text.settings), params: decodeJson(text.params), status: v.status,
    result: decodeJson(text.result), serialNum: v.serialNum, owner: f.owner, fence: f.token, leaseUntil, createdAt: v.createdAt,
    finishedAt: v.finishedAt, progress: decodeJson(text.progress) as InstanceRecord["progress"],
    failedCount: v.failedCount ?? 0,
    errors: text.errors === undefined ? [] : JSON.parse(text.errors) as TaskErrorSummary[],
    startedAt: v.startedAt ?? null,
    retainUntil: v.retainUntil ?? null,
  };
}

/** A new task row: INIT, attempt 0, no worker, null result, no failures (absent fields), updatedAt the batch's `at`. */
export function newRow<V>(t: CheckedTask, body: V): StoredRow<V | string> {
  return { t: t.taskId, p: t.parentId, n: t.name, b: body, s: INIT, a: 0, w: null, r: NULL_TEXT, q: t.queued, u: t.at };
}

/** The fields of a stored row the rules read (row-rules.ts), defaults for those it was written without. */
export function stateOf(row: StoredRow<unknown>): RowState {
  return {
    status: row.s, attempt: row.a, worker: row.w, queued: row.q,
    failures: row.f ?? 0, notBefore: row.nb ?? null, error: row.e ?? null, updatedAt: row.u,
  };
}

/** The row in state `next`, its result kept unless `result` is given. */
export function withState<V>(row: StoredRow<V>, next: RowState, result: V = row.r): StoredRow<V> {
  const out: StoredRow<V> = {
    ...row, s: next.status, a: next.attempt, w: next.worker, q: next.queued, r: result, f: next.failures, nb: next.notBefore, e: next.error,
  };
  return next.updatedAt === undefined ? out : { ...out, u: next.updatedAt };
}

/** A copy of a stored error, so no caller reaches the stored one (the memory store, structured clones aside). */
function errorOf(e: TaskError | null | undefined): TaskError | null {
  return e == null ? null : e.stack === undefined ? { message: e.message } : { message: e.message, stack: e.stack };
}

/**
 * The task as the store hands it out, from its stored row and its body and
 * result as text; `createdAt` (the instance's) stands in for an updatedAt
 * the row was written without.
 */
export function decodeTask(seq: number, row: StoredRow<unknown>, body: string, result: string, createdAt: number): TaskRow {
  return {
    seq, taskId: row.t, parentId: row.p, name: row.n, body: decodeJson(body),
    status: row.s, attempt: row.a, worker: row.w, result: decodeJson(result),
    failures: row.f ?? 0, notBefore: row.nb ?? null, error: errorOf(row.e), updatedAt: row.u ?? createdAt,
  };
}

/** Whether any of `rows` was written before updatedAt was kept: decoding them needs the instance's createdAt. */
export function needsCreatedAt(rows: Iterable<StoredRow<unknown>>): boolean {
  for (const row of rows) if (row.u === undefined) return true;
  return false;
}

/** The task as reduce sees it, from its stored row and its result as text. */
export function decodeResult(row: StoredRow<unknown>, result: string): ResultRow {
  return { taskId: row.t, name: row.n, status: row.s, result: decodeJson(result), error: errorOf(row.e), attempt: row.a };
}

/** Whether a row matches the filters of `listTasks`. */
export function matchesQuery(row: StoredRow<unknown>, status: TaskStatusCode | undefined, name: string | undefined): boolean {
  return (status === undefined || row.s === status) && (name === undefined || row.n === name);
}

/** What a row's move from `old` to `next` changes in the entries beside it. */
export interface EntryMoves {
  /** The claimable entry: true to add it, false to delete it, null to leave it. */
  readonly claimable: boolean | null;
  /** The status changed: the old (name, status) counter loses one, the new one gains one. */
  readonly recount: boolean;
}

/** The entry changes that keep the claimable entries and the counters in step with a row. */
export function entryMoves(old: RowState, next: RowState): EntryMoves {
  const was = isClaimable(old);
  const is = isClaimable(next);
  return {
    claimable: was === is ? null : is,
    recount: old.status !== next.status,
  };
}

/** Identity of one (name, status) counter within a transaction's changes. */
export function countId(name: string, status: number): string {
  return `${status}\u0000${name}`;
}

/** countByStatus order: by name as JavaScript compares strings, then status (keys order names by UTF-8 bytes). */
export function byNameThenStatus(a: StatusCount, b: StatusCount): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.status - b.status;
}
