/**
 * The stored shape of instances and task rows in the key-value stores (Deno
 * KV, IndexedDB), and their encoding and decoding. Keys: kv-keys.ts.
 *
 * JSON fields are stored as `V`: JSON text for IndexedDB; for Deno KV, text
 * or the parts it was split into when too big for one value (its loader turns
 * them back into text before decoding). Task rows use one-letter keys: a
 * store holds millions of them.
 */
import { INIT } from "../../core-as/shared/constants.ts";
import { type CheckedInstance, type CheckedPatch, type CheckedTask, decodeJson, NULL_TEXT } from "./input.ts";
import { inFlightAt, isClaimable, type RowState } from "./row-rules.ts";
import type { InstanceRecord, InstanceStatus, ResultRow, StatusCount, TaskRow, TaskStatusCode } from "./task-store.ts";

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
}

/** ["fence", id]: what both backends keep there (each adds its own fields). */
export interface StoredFence {
  readonly owner: string;
  readonly token: number;
}

/** The JSON fields of an instance as text. */
export type InstanceTexts = Pick<StoredInstance<string>, "settings" | "params" | "result" | "progress">;

/** A new instance record: RUNNING, no result, not finished, no final counters. */
export function newInstance<V>(order: number, c: CheckedInstance, settings: V, params: V): StoredInstance<V | string> {
  return {
    order, processor: c.processor, settings, params, status: "RUNNING", result: NULL_TEXT,
    serialNum: c.serialNum, createdAt: c.createdAt, finishedAt: null, progress: NULL_TEXT,
  };
}

/** The record with `p` applied; `result` and `progress` are the stored values to keep (the old ones when not patched). */
export function patchedInstance<V>(old: StoredInstance<V>, p: CheckedPatch, result: V, progress: V): StoredInstance<V> {
  return {
    ...old,
    status: p.status ?? old.status,
    result,
    progress,
    serialNum: p.serialNum ?? old.serialNum,
    finishedAt: p.finishedAt === undefined ? old.finishedAt : p.finishedAt,
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
  };
}

/** A new task row: INIT, attempt 0, no worker, null result. */
export function newRow<V>(t: CheckedTask, body: V): StoredRow<V | string> {
  return { t: t.taskId, p: t.parentId, n: t.name, b: body, s: INIT, a: 0, w: null, r: NULL_TEXT, q: t.queued };
}

/** The fields of a stored row the rules read (row-rules.ts). */
export function stateOf(row: StoredRow<unknown>): RowState {
  return { status: row.s, attempt: row.a, worker: row.w, queued: row.q };
}

/** The row in state `next`, its result kept unless `result` is given. */
export function withState<V>(row: StoredRow<V>, next: RowState, result: V = row.r): StoredRow<V> {
  return { ...row, s: next.status, a: next.attempt, w: next.worker, q: next.queued, r: result };
}

/** The task as the store hands it out, from its stored row and its body and result as text. */
export function decodeTask(seq: number, row: StoredRow<unknown>, body: string, result: string): TaskRow {
  return {
    seq, taskId: row.t, parentId: row.p, name: row.n, body: decodeJson(body),
    status: row.s, attempt: row.a, worker: row.w, result: decodeJson(result),
  };
}

/** The task as reduce sees it, from its stored row and its result as text. */
export function decodeResult(row: StoredRow<unknown>, result: string): ResultRow {
  return { taskId: row.t, name: row.n, status: row.s, result: decodeJson(result) };
}

/** What a row's move from `old` to `next` changes in the entries beside it. */
export interface EntryMoves {
  /** The claimable entry: true to add it, false to delete it, null to leave it. */
  readonly claimable: boolean | null;
  /** The worker whose in-flight entry goes, or null. */
  readonly leaves: string | null;
  /** The worker whose in-flight entry comes, or null. */
  readonly joins: string | null;
  /** The status changed: the old (name, status) counter loses one, the new one gains one. */
  readonly recount: boolean;
}

/** The entry changes that keep the claimable and in-flight entries and the counters in step with a row. */
export function entryMoves(old: RowState, next: RowState): EntryMoves {
  const was = isClaimable(old);
  const is = isClaimable(next);
  const from = inFlightAt(old);
  const to = inFlightAt(next);
  return {
    claimable: was === is ? null : is,
    leaves: from === to ? null : from,
    joins: from === to ? null : to,
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
