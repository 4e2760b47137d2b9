import { FAILED } from "../../../core-as/shared/constants.ts";
import type { Core } from "../../core/index.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { StatusUpdate, TaskError } from "../../store/task-store.ts";
import type { FailureLog } from "./failure-log.ts";
import type { InstanceMetrics } from "../master-metrics.ts";
import type { TaskNames } from "./task-names.ts";
import type { TaskSlots } from "./task-slots.ts";
import type { TaskWrites } from "./task-writes.ts";
import type { WorkerTable } from "./worker-table.ts";

/** What failing tasks touches. */
export interface FailContext {
  readonly core: Core;
  readonly slots: TaskSlots;
  readonly names: TaskNames;
  readonly workers: WorkerTable;
  readonly writes: TaskWrites;
  readonly failures: FailureLog;
  readonly clock: Clock;
  /** A5: tasks the master fails count as finished, failed, by name. */
  readonly metrics: InstanceMetrics;
  /** The instance's processor name (a metrics label). */
  readonly processor: string;
}

/**
 * Fails live tasks for good, whatever their status, in the core's table and
 * the store, with `reason` as their result and error; each is listed on the
 * instance (B25) and counted as finished, failed (A5).
 */
export function failTasks(c: FailContext, handles: Uint32Array, reason: string, error: TaskError = { message: reason }): void {
  const t = c.core.table, at = c.clock.now();
  const updates: StatusUpdate[] = [];
  const byName = new Map<string, number>();
  for (const h of handles) {
    if (t.status(h) === 0) continue;
    const idx = t.workerOf(h), worker = idx >= 0 ? c.workers.at(idx).key : null;
    const name = c.names.nameOf(t.nameOf(h));
    updates.push({ seq: c.slots.seqOf(h), status: FAILED, attempt: t.attemptOf(h), worker, result: reason, error, at });
    c.failures.add({ taskId: c.slots.taskIdOf(h), name, attempt: t.attemptOf(h), worker, message: error.message });
    byName.set(name, (byName.get(name) ?? 0) + 1);
  }
  for (const [name, n] of byName) c.metrics.tasksFinished(c.processor, name, "failed", n);
  t.fail(handles, handles.length);
  for (const h of handles) c.slots.release(h);
  c.writes.update(updates);
}
