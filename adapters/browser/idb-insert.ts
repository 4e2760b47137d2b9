/** IdbStore's insertTasks: one transaction stores a batch, idempotent by taskId. */
import { INIT } from "../../core-as/shared/constants.ts";
import { checkedTask, type CheckedTask, firstOfEachTaskId, seqTaken } from "../../src/store/input.ts";
import { newRow } from "../../src/store/kv-rows.ts";
import type { Fence, NewTask } from "../../src/store/task-store.ts";
import { req } from "./idb-requests.ts";
import { Counts, K, own } from "./idb-rows.ts";

/** insertTasks. */
export async function insertTasks(os: IDBObjectStore, fence: Fence, tasks: readonly NewTask[]): Promise<Uint8Array> {
  await own(os, fence);
  const id = fence.instanceId;
  const stored = new Uint8Array(tasks.length);
  const checked: CheckedTask[] = new Array(tasks.length);
  for (let i = 0; i < tasks.length; i++) checked[i] = checkedTask(i, tasks[i]!);
  // The first task of each taskId in the batch; a repeat stays 0.
  const first = firstOfEachTaskId(checked) ?? checked.map((_, i) => i);
  // A stored taskId is left as it is; under its own seq (an earlier attempt of this batch) it counts.
  const known = await Promise.all(first.map((i) => req(os.get(K.tid(id, checked[i]!.taskId))) as Promise<number | undefined>));
  for (let j = 0; j < first.length; j++) if (known[j] === checked[first[j]!]!.seq) stored[first[j]!] = 1;
  const fresh = first.filter((_, j) => known[j] === undefined);
  const taken = await Promise.all(fresh.map((i) => req(os.getKey(K.row(id, checked[i]!.seq)))));
  // A seq is unique per instance: one reused for a new taskId is the caller's error.
  const seqs = new Set<number>();
  for (let j = 0; j < fresh.length; j++) {
    const i = fresh[j]!;
    const seq = checked[i]!.seq;
    if (taken[j] !== undefined || seqs.has(seq)) throw seqTaken(i, seq);
    seqs.add(seq);
  }
  const counts = new Counts(id);
  for (const i of fresh) {
    const t = checked[i]!;
    os.put(newRow(t, t.body), K.row(id, t.seq));
    os.put(t.seq, K.tid(id, t.taskId));
    if (!t.queued) os.put(1, K.unq(id, t.seq));
    counts.add(t.name, INIT, 1);
    stored[i] = 1;
  }
  await counts.write(os);
  return stored;
}
