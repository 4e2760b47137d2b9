/**
 * IdbStore's failover writes, by the rules of src/store/row-rules.ts:
 * resetWorkerTasks (a dead worker's tasks), failUnfinished (kill),
 * resetForResume (a restarted or new owner) and retryFailed (a finished
 * instance run again).
 */
import type { JsonValue } from "../../src/protocol/messages.ts";
import { checkReset, encodeJson, expectBoolean, expectString } from "../../src/store/input.ts";
import { stateOf } from "../../src/store/kv-rows.ts";
import { killed, resumed, retried, workerReset } from "../../src/store/row-rules.ts";
import type { Fence } from "../../src/store/task-store.ts";
import { lastPart, prefixRange, req } from "./idb-requests.ts";
import { K, own, rewrite, scan } from "./idb-rows.ts";

/** resetWorkerTasks: walks the worker's in-flight entries only. */
export async function resetWorkerTasks(
  os: IDBObjectStore, fence: Fence, worker: string, to: { status: 1; queued: boolean } | { status: 5; result: JsonValue },
): Promise<number> {
  await own(os, fence);
  expectString("worker", worker, false);
  const target = checkReset(to);
  const id = fence.instanceId;
  const keys = await req(os.getAllKeys(prefixRange(K.wks(id, worker))));
  return rewrite(os, id, keys.map((k) => lastPart<number>(k)), (row) => workerReset(stateOf(row), worker, target));
}

/** failUnfinished. */
export async function failUnfinished(os: IDBObjectStore, fence: Fence, result: JsonValue): Promise<number> {
  await own(os, fence);
  const text = encodeJson("result", result);
  return scan(os, fence.instanceId, (row) => killed(stateOf(row), text));
}

/** resetForResume. */
export async function resetForResume(os: IDBObjectStore, fence: Fence, failover: boolean, result: JsonValue): Promise<void> {
  await own(os, fence);
  expectBoolean("failover", failover);
  const text = encodeJson("result", result);
  await scan(os, fence.instanceId, (row) => resumed(stateOf(row), failover, text));
}

/** retryFailed. */
export async function retryFailed(os: IDBObjectStore, fence: Fence): Promise<number> {
  await own(os, fence);
  return scan(os, fence.instanceId, (row) => retried(stateOf(row)));
}
