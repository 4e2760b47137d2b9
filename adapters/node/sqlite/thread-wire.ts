/**
 * How the hot calls of ThreadedSqliteStore cross to the store thread and
 * back without structured clones of task objects (a clone walks every
 * object on both sides: it cost the master more than SQLite saved it).
 *
 * Going in, a batch is checked on the caller's side with the checks the
 * store makes (so the errors are the same), then sent as one string — its
 * texts (task ids, names, bodies and results as JSON) end to end — and one
 * Float64Array of numbers and text lengths per row, whose buffer is
 * transferred, not copied. A text equal to the row before's (a batch's
 * parent, name or worker) is sent once. Coming back, claimed rows and
 * result pages are one JSON text each, built on the thread with the stored
 * JSON spliced in as is, so the caller parses a page with one JSON.parse.
 */
import { INIT } from "../../../core-as/shared/constants.ts";
import { checkNewTask, checkUpdate, checkUpdateFailure, type UpdateFailure } from "../../../src/store/input.ts";
import type { NewTask, ResultRow, StatusUpdate, TaskRow, TaskStatusCode } from "../../../src/store/task-store.ts";
import { sqlJson } from "./json-column.ts";
import type { ClaimedColumns } from "./sqlite-claim.ts";
import type { TaskFields } from "./sqlite-insert.ts";
import type { ResultColumns } from "./sqlite-reads.ts";
import { taskError } from "./sqlite-rows.ts";
import type { UpdateFields } from "./sqlite-updates.ts";
import { MAX_SEQ } from "./task-key.ts";

/** A text length meaning "null". */
const NULL = -1;
/** A text length meaning "the same text as the row before". */
const SAME = -2;
/** A result length meaning "no result given" (the stored one stays). */
const ABSENT = -3;

/** A batch as it crosses: its texts end to end, and its numbers and text lengths per row. */
export interface PackedRows {
  text: string;
  /** `stride` numbers per row; its buffer is transferred. */
  num: Float64Array;
}

/** Numbers per task: seq, at, queued, and the lengths of taskId, parentId, name, body. */
const TASK_STRIDE = 7;
/** Numbers per update: seq, status, attempt, at (NaN: not given), and the lengths of worker and result. */
const UPDATE_STRIDE = 6;

/** Appends `s` unless it is `prev`; the length to record (SAME when not appended, NULL for null). */
function put(parts: string[], s: string | null, prev: string | null | undefined): number {
  if (s === prev) return SAME;
  if (s === null) return NULL;
  parts.push(s);
  return s.length;
}

/** Reads back what `put` wrote at `len`; advances `at[0]`. */
function take(text: string, at: number[], len: number, prev: string | null): string | null {
  if (len === SAME) return prev;
  if (len === NULL) return null;
  const s = text.slice(at[0]!, at[0]! + len);
  at[0]! += len;
  return s;
}

/** Checks a batch of new tasks as SqliteStore.insertTasks does (same errors) and packs it. */
export function packTasks(tasks: readonly NewTask[]): PackedRows {
  const n = tasks.length;
  const num = new Float64Array(n * TASK_STRIDE);
  const parts: string[] = [];
  let parent: string | null | undefined;
  let name: string | undefined;
  for (let i = 0, o = 0; i < n; i++, o += TASK_STRIDE) {
    const t = tasks[i]!;
    const body = sqlJson(checkNewTask(i, t, MAX_SEQ));
    num[o] = t.seq;
    num[o + 1] = t.at ?? 0;
    num[o + 2] = t.queued ? 1 : 0;
    num[o + 3] = put(parts, t.taskId, undefined);
    num[o + 4] = put(parts, t.parentId, parent);
    num[o + 5] = put(parts, t.name, name);
    num[o + 6] = put(parts, body, undefined);
    parent = t.parentId;
    name = t.name;
  }
  return { text: parts.join(""), num };
}

/** A packed batch of tasks back as the fields SqliteStore.insertChecked takes. */
export function unpackTasks(p: PackedRows): { tasks: TaskFields[]; bodies: (string | null)[] } {
  const { text, num } = p;
  const n = num.length / TASK_STRIDE;
  const tasks: TaskFields[] = new Array(n);
  const bodies: (string | null)[] = new Array(n);
  const at = [0];
  let parent: string | null = null;
  let name: string | null = null;
  for (let i = 0, o = 0; i < n; i++, o += TASK_STRIDE) {
    const taskId = take(text, at, num[o + 3]!, null)!;
    parent = take(text, at, num[o + 4]!, parent);
    name = take(text, at, num[o + 5]!, name);
    bodies[i] = take(text, at, num[o + 6]!, null);
    tasks[i] = { seq: num[o]!, taskId, parentId: parent, name: name!, queued: num[o + 2] === 1, at: num[o + 1]! };
  }
  return { tasks, bodies };
}

/** A batch of status updates as it crosses; `failures`: JSON of [index, failure fields] pairs, null when none has any. */
export interface PackedUpdates extends PackedRows {
  failures: string | null;
}

/** Checks a batch of status updates as SqliteStore.updateStatuses does (same errors) and packs it. */
export function packUpdates(updates: readonly StatusUpdate[]): PackedUpdates {
  const n = updates.length;
  const num = new Float64Array(n * UPDATE_STRIDE);
  const parts: string[] = [];
  let failures: [number, UpdateFailure][] | null = null;
  let worker: string | null | undefined;
  for (let i = 0, o = 0; i < n; i++, o += UPDATE_STRIDE) {
    const u = updates[i]!;
    const result = checkUpdate(i, u);
    const failure = checkUpdateFailure(i, u);
    if (failure !== undefined) (failures ??= []).push([i, failure]);
    num[o] = u.seq;
    num[o + 1] = u.status;
    num[o + 2] = u.attempt;
    num[o + 3] = u.at ?? NaN;
    num[o + 4] = put(parts, u.worker, worker);
    num[o + 5] = result === undefined ? ABSENT : put(parts, sqlJson(result), undefined);
    worker = u.worker;
  }
  return { text: parts.join(""), num, failures: failures === null ? null : JSON.stringify(failures) };
}

/** How many updates a packed batch holds. */
export function updateCount(p: PackedUpdates): number {
  return p.num.length / UPDATE_STRIDE;
}

/** Packed status updates back as the fields SqliteStore.updateChecked takes. */
export interface UnpackedUpdates {
  updates: UpdateFields[];
  results: (string | null | undefined)[];
  failures: (UpdateFailure | undefined)[] | null;
}

/** Unpacks batches of status updates as one batch, in order (the thread writes updates that queued up together as one). */
export function unpackUpdates(batches: readonly PackedUpdates[]): UnpackedUpdates {
  let total = 0;
  for (const b of batches) total += b.num.length / UPDATE_STRIDE;
  const updates: UpdateFields[] = new Array(total);
  const results: (string | null | undefined)[] = new Array(total);
  let failures: (UpdateFailure | undefined)[] | null = null;
  let k = 0;
  for (const { text, num, failures: fails } of batches) {
    const n = num.length / UPDATE_STRIDE;
    const at = [0];
    let worker: string | null = null;
    if (fails !== null) {
      failures ??= new Array(total);
      for (const [i, f] of JSON.parse(fails) as [number, UpdateFailure][]) failures[k + i] = f;
    }
    for (let i = 0, o = 0; i < n; i++, o += UPDATE_STRIDE, k++) {
      worker = take(text, at, num[o + 4]!, worker);
      const len = num[o + 5]!;
      results[k] = len === ABSENT ? undefined : take(text, at, len, null);
      const when = num[o + 3]!;
      updates[k] = {
        seq: num[o]!, status: num[o + 1] as TaskStatusCode, attempt: num[o + 2]!, worker, at: Number.isNaN(when) ? undefined : when,
      };
    }
  }
  return { updates, results, failures };
}

/** JSON text of a string or null. */
const str = (s: string | null): string => (s === null ? "null" : JSON.stringify(s));

/**
 * Claimed rows as one JSON text: per row [seq, taskId, parentId, name, body,
 * attempt, worker, result, updatedAt, failures, notBefore, message, stack],
 * the stored body and result spliced in.
 */
export function claimText(c: ClaimedColumns): string {
  const out: string[] = new Array(c.rows.length);
  for (let i = 0; i < c.rows.length; i++) {
    const [seq, taskId, parentId, name, body, attempt, worker, result, updatedAt] = c.rows[i]!;
    const f = c.failures?.get(seq);
    const fail = f === undefined ? "0,null,null,null" : `${f[1]},${f[2] ?? "null"},${str(f[3])},${str(f[4])}`;
    out[i] = `[${seq},${str(taskId)},${str(parentId)},${str(name)},${body ?? "null"},${attempt},${str(worker)},${result ?? "null"},${updatedAt},${fail}]`;
  }
  return `[${out.join(",")}]`;
}

/** The tasks of claimText's text. */
export function readClaim(text: string): TaskRow[] {
  const rows = JSON.parse(text) as [
    number, string, string | null, string, TaskRow["body"], number, string | null, TaskRow["result"], number, number, number | null,
    string | null, string | null,
  ][];
  const out: TaskRow[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [seq, taskId, parentId, name, body, attempt, worker, result, updatedAt, failures, notBefore, message, stack] = rows[i]!;
    out[i] = {
      seq, taskId, parentId, name, body, status: INIT, attempt, worker, result, failures, notBefore,
      error: taskError(message, stack), updatedAt,
    };
  }
  return out;
}

/** A page of results as one JSON text: per row [taskId, name, status, result, attempt, message, stack], the stored result spliced in. */
export function resultsText(rows: readonly ResultColumns[]): string {
  const out: string[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [, taskId, name, status, result, attempt, message, stack] = rows[i]!;
    out[i] = `[${str(taskId)},${str(name)},${status},${result ?? "null"},${attempt},${str(message)},${str(stack)}]`;
  }
  return `[${out.join(",")}]`;
}

/** The rows of resultsText's text. */
export function readResults(text: string): ResultRow[] {
  const rows = JSON.parse(text) as [string, string, TaskStatusCode, ResultRow["result"], number, string | null, string | null][];
  const out: ResultRow[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [taskId, name, status, result, attempt, message, stack] = rows[i]!;
    out[i] = { taskId, name, status, result, error: taskError(message, stack), attempt };
  }
  return out;
}
