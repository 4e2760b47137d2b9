import { FAILED } from "../../../core-as/shared/constants.ts";
import type { TaskTable } from "../../core/index.ts";
import type { StatusUpdate } from "../../store/task-store.ts";
import type { TaskSlots } from "./task-slots.ts";
import type { TaskWrites } from "./task-writes.ts";

/** Fails live tasks, whatever their status, in the core's table and the store, with `reason` as their result. */
export function failTasks(table: TaskTable, slots: TaskSlots, writes: TaskWrites, handles: Uint32Array, reason: string): void {
  const updates: StatusUpdate[] = [];
  for (const h of handles) {
    if (table.status(h) === 0) continue;
    updates.push({ seq: slots.seqOf(h), status: FAILED, attempt: table.attemptOf(h), worker: null, result: reason });
  }
  table.fail(handles, handles.length);
  for (const h of handles) slots.release(h);
  writes.update(updates);
}
