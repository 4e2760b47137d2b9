import { PULLED } from "../../../core-as/shared/constants.ts";
import type { JsonValue } from "../../protocol/messages.ts";
import type { DispatchRecord, Fence, NewTask, StatusUpdate, TaskRow } from "../../store/task-store.ts";
import type { InstanceStore } from "./host.ts";
import { WriteChain } from "./write-chain.ts";

/**
 * One cycle's task writes, in the order they were issued and under the
 * instance's fencing token (X3), each retried by the write chain (B11). A
 * write that fails for good goes to the `onFatal` given at creation.
 */
export class TaskWrites {
  readonly #store: InstanceStore;
  readonly #fence: Fence;
  readonly #chain: WriteChain;
  #failure: unknown = null;

  constructor(store: InstanceStore, fence: Fence, onFatal: (e: unknown) => void) {
    this.#store = store;
    this.#fence = fence;
    this.#chain = new WriteChain((e) => {
      this.#failure ??= e;
      onFatal(e);
    });
  }

  /** The first write that failed for good (or was fenced), or null: the cycle's data is incomplete then. */
  get failure(): unknown { return this.#failure; }

  /** Writes queued and not yet done. */
  get pending(): number { return this.#chain.pending; }

  /** Resolves once every queued write has settled. */
  drain(): Promise<void> { return this.#chain.drain(); }

  /** Stores new tasks; resolves with the mask of rows actually inserted (B2). */
  insert(tasks: readonly NewTask[]): Promise<Uint8Array> {
    return this.#chain.run(() => this.#store.insertTasks(this.#fence, tasks));
  }

  /** Takes up to `limit` stored INIT rows not in memory (B10). */
  claimInit(limit: number): Promise<TaskRow[]> {
    return this.#chain.run(() => this.#store.claimInit(this.#fence, limit));
  }

  /** Marks rows PULLED by a worker (B3); nobody waits for it. */
  markPulled(seqs: readonly number[], workerKey: string): void {
    this.#chain.fire(() => this.#store.setStatus(this.#fence, seqs, PULLED, workerKey));
  }

  /** B27: records a dispatched batch — which worker holds which tasks at which attempt — as one write; nobody waits for it. */
  recordDispatch(record: DispatchRecord): void {
    if (record.seqs.length > 0) this.#chain.fire(() => this.#store.recordDispatch(this.#fence, record));
  }

  /** B27: replaces the instance's dispatch records (a resume keeps only the assignments it kept). */
  replaceDispatches(records: readonly DispatchRecord[]): Promise<void> {
    return this.#chain.run(() => this.#store.replaceDispatches(this.#fence, records));
  }

  /** Writes status changes (reports, failover, failures); nobody waits for it. */
  update(updates: readonly StatusUpdate[]): void {
    if (updates.length > 0) this.#chain.fire(() => this.#store.updateStatuses(this.#fence, updates));
  }

  /** Writes status changes and resolves once they are stored. */
  updateNow(updates: readonly StatusUpdate[]): Promise<void> {
    return this.#chain.run(() => this.#store.updateStatuses(this.#fence, updates));
  }

  /** A lost worker's unfinished rows: back to INIT (failover) or FAILED with a reason (B15). */
  resetWorker(workerKey: string, to: { status: 1; queued: boolean } | { status: 5; result: JsonValue }): void {
    this.#chain.fire(() => this.#store.resetWorkerTasks(this.#fence, workerKey, to));
  }

  /** Fails every unfinished row of the instance (B17). */
  failUnfinished(reason: string): Promise<number> {
    return this.#chain.run(() => this.#store.failUnfinished(this.#fence, reason));
  }

  /** After a restart: rows handed to the old master's workers go back to INIT, or FAILED (X3). */
  resetForResume(failover: boolean, reason: string): Promise<void> {
    return this.#chain.run(() => this.#store.resetForResume(this.#fence, failover, reason));
  }
}
