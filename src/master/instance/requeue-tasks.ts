import { INIT, T_OK } from "../../../core-as/shared/constants.ts";
import type { Core } from "../../core/index.ts";
import type { StatusUpdate } from "../../store/task-store.ts";
import type { DispatchQueue } from "./dispatch-queue.ts";
import type { TaskSlots } from "./task-slots.ts";
import type { TaskWrites } from "./task-writes.ts";

/** What sending tasks back to the queue touches. */
export interface RequeueContext {
  readonly core: Core;
  readonly slots: TaskSlots;
  readonly queue: DispatchQueue;
  readonly writes: TaskWrites;
}

/**
 * Failover of some tasks handed out (B9, B15, B28): back to INIT at
 * `attempt + 1` in the core's table and the store (no worker), and queued
 * to be dispatched again first (B6). Tasks that ended meanwhile are left.
 */
export function requeueTasks(c: RequeueContext, handles: Uint32Array): void {
  const t = c.core.table;
  const codes = new Int32Array(handles.length);
  t.requeue(handles, handles.length, codes);
  const updates: StatusUpdate[] = [];
  const back: number[] = [];
  for (let i = 0; i < handles.length; i++) {
    if (codes[i] !== T_OK) continue;
    const x = handles[i]!;
    updates.push({ seq: c.slots.seqOf(x), status: INIT, attempt: t.attemptOf(x), worker: null });
    back.push(x);
  }
  c.queue.requeue(back);
  c.writes.update(updates);
}
