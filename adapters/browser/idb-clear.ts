/** IdbStore's clearTasks: deletes the instance's task space; the record stays. */
import type { Fence } from "../../src/store/task-store.ts";
import { prefixRange } from "./idb-requests.ts";
import { K, own } from "./idb-rows.ts";

/** clearTasks. */
export async function clearTasks(os: IDBObjectStore, fence: Fence): Promise<void> {
  await own(os, fence);
  for (const prefix of K.space(fence.instanceId)) os.delete(prefixRange(prefix));
}
