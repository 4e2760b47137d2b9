/** SqliteStore's task reads: countByStatus, maxSeq, getTask, listTasks and the pages of results. */
import type { CheckedTaskQuery } from "../../../src/store/input.ts";
import type { ResultRow, StatusCount, TaskRow, TaskStatusCode } from "../../../src/store/task-store.ts";
import { fromJson } from "./json-column.ts";
import type { SqliteDb } from "./sqlite-db.ts";
import { type RawTaskColumns, rawTaskRow, type TaskColumns, taskError, taskRow } from "./sqlite-rows.ts";
import { MAX_SEQ } from "./task-key.ts";

/** countByStatus. */
export function countByStatus(db: SqliteDb, instanceId: string): StatusCount[] {
  const keys = db.keysOf(instanceId);
  if (!keys) return [];
  return db.stmt("count-by-status").all(keys.low, keys.high) as StatusCount[];
}

/** maxSeq. */
export function maxSeq(db: SqliteDb, instanceId: string): number {
  const keys = db.keysOf(instanceId);
  if (!keys) return -1;
  const seq = db.stmt("max-seq").pluck().get(keys.low, keys.high) as number | null;
  return seq ?? -1;
}

/** getTask. */
export function getTask(db: SqliteDb, instanceId: string, taskId: string): TaskRow | null {
  const keys = db.keysOf(instanceId);
  if (!keys) return null;
  const row = db.stmt("get-task").get(keys.num, taskId) as TaskColumns | undefined;
  return row ? taskRow(row) : null;
}

/** listTasks, checked already: one statement walking the instance's id range from afterSeq + 1. */
export function listTasks(db: SqliteDb, instanceId: string, q: CheckedTaskQuery): TaskRow[] {
  const keys = db.keysOf(instanceId);
  if (!keys || q.afterSeq >= MAX_SEQ) return [];
  const status = q.status ?? null;
  const name = q.name ?? null;
  const rows = db.stmt("list-tasks").raw().all(
    keys.num, keys.id(q.afterSeq + 1), keys.high, status, status, name, name, q.limit) as RawTaskColumns[];
  return rows.map(rawTaskRow);
}

/** A finished task as results-page.sql reads it in raw mode: seq, taskId, name, status, result, attempt, error message, stack. */
export type ResultColumns = [number, string, string, TaskStatusCode, string | null, number, string | null, string | null];

/** Each page is one statement run to completion: nothing stays open while the reader works between pages. */
export async function* resultPages(db: SqliteDb, instanceId: string, pageSize: number): AsyncGenerator<ResultRow[]> {
  for (const rows of resultColumnPages(db, instanceId, pageSize)) {
    const out: ResultRow[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [, taskId, name, status, result, attempt, message, stack] = rows[i]!;
      out[i] = { taskId, name, status, result: fromJson(result), error: taskError(message, stack), attempt };
    }
    yield out;
  }
}

/** The pages of results as columns (JSON as text), each read when asked for; the last may be empty. */
export function* resultColumnPages(db: SqliteDb, instanceId: string, pageSize: number): Generator<ResultColumns[]> {
  const keys = db.keysOf(instanceId);
  if (!keys) return;
  const page = db.stmt("results-page").raw();
  let after = typeof keys.low === "bigint" ? keys.low - 1n : keys.low - 1;
  for (;;) {
    const rows = page.all(after, keys.high, pageSize) as ResultColumns[];
    if (rows.length === 0) return;
    after = keys.id(rows[rows.length - 1]![0]);
    yield rows;
    if (rows.length < pageSize) return;
  }
}
