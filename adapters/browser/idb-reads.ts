/** IdbStore's task reads: countByStatus, maxSeq, getTask, listTasks and one page of results. */
import type { CheckedTaskQuery } from "../../src/store/input.ts";
import { byNameThenStatus, decodeResult, matchesQuery } from "../../src/store/kv-rows.ts";
import type { ResultRow, StatusCount, TaskRow, TaskStatusCode } from "../../src/store/task-store.ts";
import { descending, lastPart, numbersFrom, prefixRange, req } from "./idb-requests.ts";
import { K, MAX_COUNT, type Row, taskRows } from "./idb-rows.ts";

/** Rows listTasks reads at a time while a filter skips rows. */
const LIST_PAGE = 1000;

/** countByStatus. */
export async function countByStatus(os: IDBObjectStore, instanceId: string): Promise<StatusCount[]> {
  const range = prefixRange(K.cnts(instanceId));
  const [keys, counts] = await Promise.all([req(os.getAllKeys(range)), req(os.getAll(range)) as Promise<number[]>]);
  const out: StatusCount[] = [];
  for (let i = 0; i < keys.length; i++) {
    const parts = keys[i] as IDBValidKey[];
    const name = parts[parts.length - 2] as string;
    if (counts[i]! > 0) out.push({ name, status: lastPart<TaskStatusCode>(parts), count: counts[i]! });
  }
  return out.sort(byNameThenStatus);
}

/** maxSeq. */
export async function maxSeq(os: IDBObjectStore, instanceId: string): Promise<number> {
  const [last] = await descending(os, numbersFrom(K.rows(instanceId), -Infinity), 1);
  return last === undefined ? -1 : lastPart<number>(last[0]);
}

/** getTask. */
export async function getTask(os: IDBObjectStore, instanceId: string, taskId: string): Promise<TaskRow | null> {
  const seq = await req(os.get(K.tid(instanceId, taskId))) as number | undefined;
  if (seq === undefined) return null;
  const row = await req(os.get(K.row(instanceId, seq))) as Row | undefined;
  return row === undefined ? null : (await taskRows(os, instanceId, [[seq, row]]))[0]!;
}

/**
 * listTasks: reads the rows from seq afterSeq + 1 a page at a time (the
 * limit's size unless a filter skips rows) and keeps the matching ones, so
 * the rows held at once are one page and the answer.
 */
export async function listTasks(os: IDBObjectStore, instanceId: string, q: CheckedTaskQuery): Promise<TaskRow[]> {
  const picked: [number, Row][] = [];
  const filtered = q.status !== undefined || q.name !== undefined;
  let from = q.afterSeq + 1;
  for (;;) {
    const count = filtered ? LIST_PAGE : Math.min(q.limit - picked.length, MAX_COUNT);
    const range = numbersFrom(K.rows(instanceId), from);
    const [keys, rows] = await Promise.all([req(os.getAllKeys(range, count)), req(os.getAll(range, count)) as Promise<Row[]>]);
    for (let i = 0; i < keys.length && picked.length < q.limit; i++) {
      if (matchesQuery(rows[i]!, q.status, q.name)) picked.push([lastPart<number>(keys[i]!), rows[i]!]);
    }
    if (keys.length < count || picked.length === q.limit) break;
    from = lastPart<number>(keys[keys.length - 1]!) + 1;
  }
  return taskRows(os, instanceId, picked);
}

/** One page of `results`: up to `pageSize` rows from seq `from` on, and the last seq read (-1: none). */
export async function resultsPage(
  os: IDBObjectStore, instanceId: string, from: number, pageSize: number,
): Promise<{ last: number; rows: ResultRow[] }> {
  const range = numbersFrom(K.rows(instanceId), from);
  const count = Math.min(pageSize, MAX_COUNT);
  const [keys, rows] = await Promise.all([req(os.getAllKeys(range, count)), req(os.getAll(range, count)) as Promise<Row[]>]);
  return { last: keys.length === 0 ? -1 : lastPart<number>(keys[keys.length - 1]!), rows: rows.map((r) => decodeResult(r, r.r)) };
}
