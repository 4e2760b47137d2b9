/**
 * SqliteStore's insertTasks: multi-row INSERTs that skip a row whose seq or
 * taskId is taken. A batch of new tasks (the usual case) goes in once; only
 * when a row was skipped does it go in again, naming the rows it stored, and
 * the skipped ones are looked up to tell a retry's own rows from duplicates.
 */
import { checkNewTask, firstOfEachTaskId, seqTaken } from "../../../src/store/input.ts";
import type { Fence, NewTask } from "../../../src/store/task-store.ts";
import { sqlJson } from "./json-column.ts";
import { ceilPow2, floorPow2, IN_LIST, type SqliteDb } from "./sqlite-db.ts";
import { MAX_SEQ, type TaskKeys } from "./task-key.ts";

/** Rows per multi-row INSERT (8 parameters each); smaller remainders go by powers of two. */
const INSERT_ROWS = 64;

/** Thrown inside the insert savepoint when a multi-row INSERT skipped a row. */
const SKIPPED = Symbol("skipped");

/** A task to insert without its body, which goes beside it as column text. */
export type TaskFields = Omit<NewTask, "body">;

/** insertTasks. */
export function insertTasks(db: SqliteDb, fence: Fence, tasks: readonly NewTask[]): Uint8Array {
  const n = tasks.length;
  const bodies: (string | null)[] = new Array(n);
  for (let i = 0; i < n; i++) bodies[i] = sqlJson(checkNewTask(i, tasks[i]!, MAX_SEQ));
  return insertChecked(db, fence, tasks, bodies);
}

/**
 * insertTasks of tasks checked already (checkNewTask with MAX_SEQ), each
 * body as its column value: the store thread's entry, whose caller checked
 * and encoded them on its own thread.
 */
export function insertChecked(db: SqliteDb, fence: Fence, tasks: readonly TaskFields[], bodies: readonly (string | null)[]): Uint8Array {
  const n = tasks.length;
  let lowestUnqueued = Infinity;
  for (let i = 0; i < n; i++) {
    const t = tasks[i]!;
    if (!t.queued && t.seq < lowestUnqueued) lowestUnqueued = t.seq;
  }
  return db.write(() => {
    const keys = db.own(fence);
    if (n === 0) return new Uint8Array(0);
    // Before the rows exist: moving claim_from back marks the tasks claimed below it, never these.
    if (lowestUnqueued !== Infinity) db.lowerClaimFrom(keys, lowestUnqueued);
    let mask: Uint8Array | null = null;
    try {
      // All new (the usual case): multi-row INSERTs, and every row counts.
      db.savepoint(() => insertRows(db, keys, tasks, bodies, null, null));
    } catch (e) {
      if (e !== SKIPPED) throw e;
      // Some exist: the savepoint is undone; inserted again, naming the rows skipped, whose stored seqs tell which count.
      mask = insertAndLook(db, keys, tasks, bodies);
    }
    return mask ?? new Uint8Array(n).fill(1);
  });
}

/**
 * Multi-row INSERTs of the tasks at `order` (every task when null). A row
 * skipped (its taskId or its seq was taken) throws SKIPPED, or, given a
 * `skipped` list, is added to it by its index (the INSERTs then name the
 * rows they stored: only the slow path pays for that).
 */
function insertRows(
  db: SqliteDb, keys: TaskKeys, tasks: readonly TaskFields[], bodies: readonly (string | null)[], order: readonly number[] | null,
  skipped: number[] | null,
): void {
  const n = order === null ? tasks.length : order.length;
  for (let from = 0; from < n;) {
    const rows = floorPow2(Math.min(INSERT_ROWS, n - from));
    const args = db.argsOf(`insert/${rows}`, rows * 8);
    for (let j = 0, o = 0; j < rows; j++, o += 8) {
      const i = order === null ? from + j : order[from + j]!;
      const t = tasks[i]!;
      args[o] = keys.id(t.seq);
      args[o + 1] = keys.num;
      args[o + 2] = t.taskId;
      args[o + 3] = t.parentId;
      args[o + 4] = t.name;
      args[o + 5] = bodies[i];
      args[o + 6] = t.queued ? 1 : 0;
      args[o + 7] = t.at ?? 0;
    }
    if (skipped === null) {
      if (db.stmt("insert-tasks", rows).run(args).changes !== rows) throw SKIPPED;
    } else {
      const inserted = db.stmt("insert-tasks-returning", rows).pluck().all(args) as string[];
      if (inserted.length !== rows) {
        const got = new Set(inserted);
        for (let j = 0; j < rows; j++) {
          const i = order === null ? from + j : order[from + j]!;
          if (!got.has(tasks[i]!.taskId)) skipped.push(i);
        }
      }
    }
    from += rows;
  }
}

/**
 * Inserts the first task of each taskId in the batch (a repeat is 0) and
 * tells which are stored under their seq: those inserted now, and of those
 * skipped, the ones whose taskId is found (one read per IN_LIST of them)
 * under their own seq. A skipped taskId not found lost its seq to another
 * task: refused.
 */
function insertAndLook(db: SqliteDb, keys: TaskKeys, tasks: readonly TaskFields[], bodies: readonly (string | null)[]): Uint8Array {
  const order = firstOfEachTaskId(tasks);
  const skipped: number[] = [];
  insertRows(db, keys, tasks, bodies, order, skipped);
  const mask = new Uint8Array(tasks.length);
  if (order === null) mask.fill(1);
  else for (const i of order) mask[i] = 1;
  const stored = seqsOf(db, keys, skipped.map((i) => tasks[i]!.taskId));
  for (const i of skipped) {
    const t = tasks[i]!;
    const seq = stored.get(t.taskId);
    if (seq === undefined) throw seqTaken(i, t.seq);
    if (seq !== t.seq) mask[i] = 0;
  }
  return mask;
}

/** The seq each of `taskIds` is stored under (absent: not stored): IN lists of IN_LIST ids, padded like SqliteDb.inLists'. */
function seqsOf(db: SqliteDb, keys: TaskKeys, taskIds: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < taskIds.length;) {
    const size = ceilPow2(Math.min(IN_LIST, taskIds.length - i));
    const args = db.argsOf(`seq-of/${size}`, 1 + size);
    args[0] = keys.num;
    let filled = 0;
    while (filled < size && i < taskIds.length) args[1 + filled++] = taskIds[i++];
    for (let k = filled; k < size; k++) args[1 + k] = args[filled];
    const rows = db.stmt("get-task-seqs", size).raw().all(args) as [string, number][];
    for (const [taskId, seq] of rows) out.set(taskId, seq);
  }
  return out;
}
