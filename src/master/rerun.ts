/**
 * B26: which finished instances can run again over their failed tasks — and,
 * for the others, why not, in words a user can act on.
 */
import type { InstanceRecord } from "../store/task-store.ts";

/** A retry of an instance's failed tasks that cannot be done (answered 409). */
export class RetryRefusedError extends Error {
  override readonly name = "RetryRefusedError";
}

/** What the check reads of the instance's stored settings. */
interface StoredSettings {
  every?: unknown;
  retainTasks?: unknown;
  retainFor?: unknown;
}

/** Throws RetryRefusedError unless `rec` is a FAILED, non-recurring instance whose tasks are still kept. */
export function checkRerun(rec: InstanceRecord): void {
  const id = rec.instanceId;
  if (rec.status === "RUNNING") throw new RetryRefusedError(`instance ${id} is RUNNING: only an instance that ended FAILED can retry its failed tasks`);
  if (rec.status === "SUCCESS") throw new RetryRefusedError(`instance ${id} ended SUCCESS: it has no failed task to retry`);
  const s = (rec.settings ?? {}) as StoredSettings;
  if (s.every !== undefined && s.every !== null) {
    throw new RetryRefusedError(`instance ${id} is recurring (every ${String(s.every)} ms): each cycle runs anew; submit it again instead`);
  }
  if (rec.retainUntil === null) {
    const why = s.retainTasks === "none"
      ? `it ran with retainTasks "none", which clears them at the end; "failed" (the default) or "all" keeps them`
      : `they were swept once retainFor (${String(s.retainFor)} ms) had passed; a longer retainFor keeps them longer`;
    throw new RetryRefusedError(`instance ${id} no longer has its tasks: ${why}`);
  }
}
