/**
 * DenoKvStore's writes over every row of an instance, by the rules of
 * src/store/row-rules.ts: failUnfinished (kill), resetForResume (a
 * restarted or new owner) and retryFailed (a finished instance run again).
 */
import type { JsonValue } from "../../src/protocol/messages.ts";
import { encodeJson, expectBoolean } from "../../src/store/input.ts";
import { stateOf } from "../../src/store/kv-rows.ts";
import { killed, resumed, retried } from "../../src/store/row-rules.ts";
import type { Fence } from "../../src/store/task-store.ts";
import { scan } from "./kv-row-writes.ts";
import { type KvContext, session } from "./kv-session.ts";

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
