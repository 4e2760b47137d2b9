/** DenoKvStore's task reads: countByStatus, maxSeq, getTask, listTasks and the pages of results. */
import type { CheckedTaskQuery } from "../../src/store/input.ts";
import { byNameThenStatus, decodeResult, matchesQuery } from "../../src/store/kv-rows.ts";
import type { ResultRow, StatusCount, TaskRow, TaskStatusCode } from "../../src/store/task-store.ts";
import { utf8Bytes } from "./kv-atomic.ts";
import { type Row, taskRows } from "./kv-row-writes.ts";
import { ID_BYTES, type KvContext, STEP, tsOf } from "./kv-session.ts";
import { load } from "./kv-values.ts";

/** countByStatus. */
export async function countByStatus(cx: KvContext, instanceId: string): Promise<StatusCount[]> {
  const ts = await tsOf(cx, instanceId);
  if (ts === null) return [];
  const out: StatusCount[] = [];
  for await (const e of cx.kv.list<Deno.KvU64>({ prefix: cx.k.cnts(ts) })) {
    const count = Number(e.value.value);
    if (count === 0) continue;
    out.push({ name: e.key[e.key.length - 2] as string, status: e.key[e.key.length - 1] as TaskStatusCode, count });
  }
  return out.sort(byNameThenStatus);
}

/** maxSeq. */
export async function maxSeq(cx: KvContext, instanceId: string): Promise<number> {
  const ts = await tsOf(cx, instanceId);
  if (ts === null) return -1;
  for await (const e of cx.kv.list({ prefix: cx.k.rows(ts) }, { reverse: true, limit: 1 })) {
    return e.key[e.key.length - 1] as number;
  }
  return -1;
}

/** getTask. */
export async function getTask(cx: KvContext, instanceId: string, taskId: string): Promise<TaskRow | null> {
  if (typeof taskId !== "string" || taskId.length === 0 || utf8Bytes(taskId) > ID_BYTES) return null;
  const ts = await tsOf(cx, instanceId);
  if (ts === null) return null;
  const seq = (await cx.kv.get<number>(cx.k.tid(ts, taskId))).value;
  if (seq === null) return null;
  const row = (await cx.kv.get<Row>(cx.k.row(ts, seq))).value;
  return row === null ? null : (await taskRows(cx, instanceId, ts, [[seq, row]]))[0]!;
}

/**
 * listTasks: walks the rows from seq afterSeq + 1 in pages of at most STEP
 * (the limit's size when smaller) and keeps the matching ones: the rows held
 * at once are one page and the answer.
 */
export async function listTasks(cx: KvContext, instanceId: string, q: CheckedTaskQuery): Promise<TaskRow[]> {
  const ts = await tsOf(cx, instanceId);
  if (ts === null) return [];
  const picked: [number, Row][] = [];
  const filtered = q.status !== undefined || q.name !== undefined;
  const batchSize = filtered ? STEP : Math.min(q.limit, STEP);
  for await (const e of cx.kv.list<Row>({ prefix: cx.k.rows(ts), start: cx.k.row(ts, q.afterSeq + 1) }, { batchSize })) {
    if (!matchesQuery(e.value, q.status, q.name)) continue;
    picked.push([e.key[e.key.length - 1] as number, e.value]);
    if (picked.length === q.limit) break;
  }
  return taskRows(cx, instanceId, ts, picked);
}

/** Reads page after page by key, each page one list call, so rows changed meanwhile never repeat or shift a page. */
export async function* resultPages(cx: KvContext, instanceId: string, pageSize: number): AsyncGenerator<ResultRow[]> {
  let ts: number | undefined;
  let cursor: string | undefined;
  for (;;) {
    const now = await tsOf(cx, instanceId);
    if (now === null || (ts !== undefined && now !== ts)) return; // gone or cleared meanwhile
    ts = now;
    const it = cx.kv.list<Row>({ prefix: cx.k.rows(ts) }, { limit: pageSize, cursor, batchSize: Math.min(pageSize, 1000) });
    const rows: Deno.KvEntry<Row>[] = [];
    for await (const e of it) rows.push(e);
    if (rows.length === 0) return;
    cursor = it.cursor;
    const space = ts;
    // Copied out before yielding: the page is one read.
    const page = await Promise.all(rows.map(async (e): Promise<ResultRow> =>
      decodeResult(e.value, await load(cx.kv, cx.k.rowPart(space, e.key[e.key.length - 1] as number, "r"), e.value.r))));
    yield page;
    if (rows.length < pageSize) return;
  }
}
