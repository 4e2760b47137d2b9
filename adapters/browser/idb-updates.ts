/** IdbStore's status writes: updateStatuses. */
import { checkedUpdate, type CheckedUpdate } from "../../src/store/input.ts";
import { stateOf } from "../../src/store/kv-rows.ts";
import { lastUpdateOfEachSeq, updated } from "../../src/store/row-rules.ts";
import type { Fence, StatusUpdate } from "../../src/store/task-store.ts";
import { own, rewrite } from "./idb-rows.ts";

/** updateStatuses. */
export async function updateStatuses(os: IDBObjectStore, fence: Fence, updates: readonly StatusUpdate[]): Promise<void> {
  await own(os, fence);
  const checked: CheckedUpdate[] = new Array(updates.length);
  for (let i = 0; i < updates.length; i++) checked[i] = checkedUpdate(i, updates[i]!);
  const bySeq = lastUpdateOfEachSeq(checked);
  await rewrite(os, fence.instanceId, [...bySeq.keys()], (row, seq) => updated(stateOf(row), bySeq.get(seq)!));
}
