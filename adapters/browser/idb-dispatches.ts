/**
 * IdbStore's dispatch records (B27): ["d", id, n] → the packed record, and
 * ["d", id, 0] → the last n handed out; each call is one transaction, so a
 * batch's record is one write. They live in the instance's task space:
 * clearTasks deletes them with its tasks.
 */
import type { PackedDispatch } from "../../src/store/dispatch-records.ts";
import { unpackDispatch } from "../../src/store/dispatch-records.ts";
import type { Fence, StoredDispatch } from "../../src/store/task-store.ts";
import { numbersFrom, req } from "./idb-requests.ts";
import { K, own } from "./idb-rows.ts";

/** Stores packed records under fresh ids, after the last one handed out. */
async function add(os: IDBObjectStore, id: string, packed: readonly PackedDispatch[]): Promise<void> {
  let last = ((await req(os.get(K.disp(id, 0)))) as number | undefined) ?? 0;
  for (const p of packed) os.put(p, K.disp(id, ++last));
  os.put(last, K.disp(id, 0));
}

/** recordDispatch, packed already. */
export async function recordDispatch(os: IDBObjectStore, fence: Fence, p: PackedDispatch): Promise<void> {
  await own(os, fence);
  await add(os, fence.instanceId, [p]);
}

/** replaceDispatches, packed already: ids keep growing past the deleted ones. */
export async function replaceDispatches(os: IDBObjectStore, fence: Fence, packed: readonly PackedDispatch[]): Promise<void> {
  await own(os, fence);
  const id = fence.instanceId;
  os.delete(numbersFrom(K.disps(id), 1));
  await add(os, id, packed);
}

/** listDispatches, checked already. */
export async function listDispatches(os: IDBObjectStore, instanceId: string, afterId: number, limit: number): Promise<StoredDispatch[]> {
  const range = numbersFrom(K.disps(instanceId), Math.max(afterId, 0) + 1);
  const [keys, values] = await Promise.all([req(os.getAllKeys(range, limit)), req(os.getAll(range, limit))]);
  return keys.map((k, i) => unpackDispatch((k as number[])[2] as number, values[i] as PackedDispatch));
}

