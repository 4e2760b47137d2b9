/**
 * A TaskStore that passes every call through and tells its master about each
 * write the store refused with FencedError. A shared master (X3) uses it: a
 * master that paused past its lease may see its lease-loss first and drop
 * the instance, yet writes it issued before that still reach the store and
 * are refused there — they are the evidence that fencing held, so they are
 * counted (metrics) even when no instance is left to depose.
 */
import type { JsonValue } from "../protocol/messages.ts";
import { FencedError } from "../store/errors.ts";
import type {
  DispatchRecord, Fence, InstancePatch, InstanceRecord, LeaseTerms, NewInstance, NewTask, ResultRow, StatusCount,
  StatusUpdate, StoredDispatch, TaskQuery, TaskRow, TaskStore, InstanceFilter,
} from "../store/task-store.ts";

/** Wraps `store`; `onFenced` hears of every write refused for a stale token. */
export class FenceWatchStore implements TaskStore {
  readonly #s: TaskStore;
  readonly #onFenced: (e: FencedError) => void;

  constructor(store: TaskStore, onFenced: (e: FencedError) => void) {
    this.#s = store;
    this.#onFenced = onFenced;
  }

  get kind(): string { return this.#s.kind; }

  /** Passes a write's outcome on, noting a FencedError. */
  #w<T>(p: Promise<T>): Promise<T> {
    return p.catch((e: unknown) => {
      if (e instanceof FencedError) this.#onFenced(e);
      throw e;
    });
  }

  createInstance(instance: NewInstance, owner: string, lease?: LeaseTerms): Promise<Fence> { return this.#s.createInstance(instance, owner, lease); }
  acquireInstance(instanceId: string, owner: string, lease?: LeaseTerms): Promise<Fence> { return this.#s.acquireInstance(instanceId, owner, lease); }
  renewLeases(owner: string, fences: readonly Fence[], lease: LeaseTerms): Promise<string[]> { return this.#s.renewLeases(owner, fences, lease); }
  expiredInstances(now: number, limit?: number): Promise<InstanceRecord[]> { return this.#s.expiredInstances(now, limit); }
  getInstance(instanceId: string): Promise<InstanceRecord | null> { return this.#s.getInstance(instanceId); }
  listInstances(filter?: InstanceFilter): Promise<InstanceRecord[]> { return this.#s.listInstances(filter); }
  updateInstance(fence: Fence, patch: InstancePatch): Promise<void> { return this.#w(this.#s.updateInstance(fence, patch)); }
  insertTasks(fence: Fence, tasks: readonly NewTask[]): Promise<Uint8Array> { return this.#w(this.#s.insertTasks(fence, tasks)); }
  updateStatuses(fence: Fence, updates: readonly StatusUpdate[]): Promise<void> { return this.#w(this.#s.updateStatuses(fence, updates)); }
  retryFailed(fence: Fence): Promise<number> { return this.#w(this.#s.retryFailed(fence)); }
  listTasks(instanceId: string, q: TaskQuery): Promise<TaskRow[]> { return this.#s.listTasks(instanceId, q); }
  sweepRetained(now: number, limit?: number): Promise<number> { return this.#s.sweepRetained(now, limit); }
  failUnfinished(fence: Fence, result: JsonValue): Promise<number> { return this.#w(this.#s.failUnfinished(fence, result)); }
  resetForResume(fence: Fence, failover: boolean, result: JsonValue): Promise<void> { return this.#w(this.#s.resetForResume(fence, failover, result)); }
  claimInit(fence: Fence, limit: number): Promise<TaskRow[]> { return this.#w(this.#s.claimInit(fence, limit)); }
  countByStatus(instanceId: string): Promise<StatusCount[]> { return this.#s.countByStatus(instanceId); }
  maxSeq(instanceId: string): Promise<number> { return this.#s.maxSeq(instanceId); }
  getTask(instanceId: string, taskId: string): Promise<TaskRow | null> { return this.#s.getTask(instanceId, taskId); }
  results(instanceId: string, pageSize?: number): AsyncIterable<ResultRow> { return this.#s.results(instanceId, pageSize); }
  recordDispatch(fence: Fence, record: DispatchRecord): Promise<void> { return this.#w(this.#s.recordDispatch(fence, record)); }
  listDispatches(instanceId: string, afterId: number, limit: number): Promise<StoredDispatch[]> {
    return this.#s.listDispatches(instanceId, afterId, limit);
  }
  replaceDispatches(fence: Fence, records: readonly DispatchRecord[]): Promise<void> { return this.#w(this.#s.replaceDispatches(fence, records)); }
  clearTasks(fence: Fence): Promise<void> { return this.#w(this.#s.clearTasks(fence)); }
  close(): Promise<void> { return this.#s.close(); }
}
