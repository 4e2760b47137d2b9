/**
 * DenoKvStore's failover writes, by the rules of src/store/row-rules.ts:
 * resetWorkerTasks (a dead worker's tasks, found by its in-flight entries),
 * failUnfinished (kill), resetForResume (a restarted or new owner) and
 * retryFailed (a finished instance run again).
 */
import type { JsonValue } from "../../src/protocol/messages.ts";
import { checkReset, encodeJson, expectBoolean, expectString } from "../../src/store/input.ts";
import { stateOf } from "../../src/store/kv-rows.ts";
import { killed, resumed, retried, workerReset } from "../../src/store/row-rules.ts";
import type { Fence } from "../../src/store/task-store.ts";
import { utf8Bytes } from "./kv-atomic.ts";
import { type Change, type Row, rewrite, scan } from "./kv-row-writes.ts";
import { ID_BYTES, type KvContext, session, STEP } from "./kv-session.ts";

/** resetWorkerTasks: walks the worker's in-flight entries, STEP at a time. */
export async function resetWorkerTasks(
  cx: KvContext, fence: Fence, worker: string, to: { status: 1; queued: boolean } | { status: 5; result: JsonValue },
): Promise<number> {
  const s = await session(cx, fence);
  expectString("worker", worker, false);
  const target = checkReset(to);
  if (utf8Bytes(worker) > ID_BYTES) return 0; // never stored
  const change = (row: Row): Change => workerReset(stateOf(row), worker, target);
  let changed = 0;
  let from = 0;
  for (;;) {
    const ts = s.own.value.ts;
    const seqs: number[] = [];
    const it = cx.kv.list({ prefix: cx.k.wks(ts, worker), start: cx.k.wk(ts, worker, from) }, { limit: STEP });
    for await (const e of it) seqs.push(e.key[e.key.length - 1] as number);
    if (seqs.length === 0) return changed;
    changed += await rewrite(cx, s, seqs, change);
    if (seqs.length < STEP) return changed;
    from = seqs[seqs.length - 1]! + 1;
  }
}

/** failUnfinished. */
export async function failUnfinished(cx: KvContext, fence: Fence, result: JsonValue): Promise<number> {
  const s = await session(cx, fence);
  const text = encodeJson("result", result);
  return scan(cx, s, (row) => killed(stateOf(row), text));
}

/** resetForResume. */
export async function resetForResume(cx: KvContext, fence: Fence, failover: boolean, result: JsonValue): Promise<void> {
  const s = await session(cx, fence);
  expectBoolean("failover", failover);
  const text = encodeJson("result", result);
  await scan(cx, s, (row) => resumed(stateOf(row), failover, text));
}

/** retryFailed. */
export async function retryFailed(cx: KvContext, fence: Fence): Promise<number> {
  const s = await session(cx, fence);
  return scan(cx, s, (row) => retried(stateOf(row)));
}
