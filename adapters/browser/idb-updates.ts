/** IdbStore's status writes: updateStatuses and setStatus (the dispatch mark). */
import { checkAt, checkedUpdate, type CheckedUpdate, checkSeqs, checkStatus, checkWorker } from "../../src/store/input.ts";
import { stateOf } from "../../src/store/kv-rows.ts";
import { lastUpdateOfEachSeq, marked, updated } from "../../src/store/row-rules.ts";
import type { Fence, StatusUpdate, TaskStatusCode } from "../../src/store/task-store.ts";
import { own, rewrite } from "./idb-rows.ts";

/** updateStatuses. */
export async function updateStatuses(os: IDBObjectStore, fence: Fence, updates: readonly StatusUpdate[]): Promise<void> {
  await own(os, fence);
  const checked: CheckedUpdate[] = new Array(updates.length);
  for (let i = 0; i < updates.length; i++) checked[i] = checkedUpdate(i, updates[i]!);
  const bySeq = lastUpdateOfEachSeq(checked);
  await rewrite(os, fence.instanceId, [...bySeq.keys()], (row, seq) => updated(stateOf(row), bySeq.get(seq)!));
}

/** setStatus. */
export async function setStatus(
  os: IDBObjectStore, fence: Fence, seqs: readonly number[], status: TaskStatusCode, worker: string | null, at: number | undefined,
): Promise<void> {
  await own(os, fence);
  checkStatus("status", status);
  checkWorker("worker", worker);
  checkSeqs(seqs);
  const when = checkAt(at);
  await rewrite(os, fence.instanceId, seqs, (row) => marked(stateOf(row), status, worker, when));
}
