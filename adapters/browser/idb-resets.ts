/**
 * IdbStore's writes over every row of an instance, by the rules of
 * src/store/row-rules.ts: failUnfinished (kill), resetForResume (a
 * restarted or new owner) and retryFailed (a finished instance run again).
 */
import type { JsonValue } from "../../src/protocol/messages.ts";
import { encodeJson, expectBoolean } from "../../src/store/input.ts";
import { stateOf } from "../../src/store/kv-rows.ts";
import { killed, resumed, retried } from "../../src/store/row-rules.ts";
import type { Fence } from "../../src/store/task-store.ts";
import { own, scan } from "./idb-rows.ts";

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
