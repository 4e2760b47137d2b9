/** DenoKvStore's status writes: updateStatuses. */
import { checkedUpdate, type CheckedUpdate } from "../../src/store/input.ts";
import { stateOf } from "../../src/store/kv-rows.ts";
import { lastUpdateOfEachSeq, updated } from "../../src/store/row-rules.ts";
import type { Fence, StatusUpdate } from "../../src/store/task-store.ts";
import { rewrite } from "./kv-row-writes.ts";
import { checkId, type KvContext, session } from "./kv-session.ts";

/** updateStatuses. */
export async function updateStatuses(cx: KvContext, fence: Fence, updates: readonly StatusUpdate[]): Promise<void> {
  const s = await session(cx, fence);
  const checked: CheckedUpdate[] = new Array(updates.length);
  for (let i = 0; i < updates.length; i++) {
    const u = checked[i] = checkedUpdate(i, updates[i]!);
    if (u.worker !== null) checkId(`updates[${i}].worker`, u.worker);
  }
  const bySeq = lastUpdateOfEachSeq(checked);
  await rewrite(cx, s, [...bySeq.keys()], (row, seq) => updated(stateOf(row), bySeq.get(seq)!));
}
