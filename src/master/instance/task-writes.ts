import type { DispatchRecord, Fence, NewTask, StatusUpdate, TaskRow } from "../../store/task-store.ts";
import type { InstanceStore } from "./host.ts";
import { WriteChain } from "./write-chain.ts";

/** Status updates that go to the store in one write (group commit, B33). */
interface UpdateGroup {
  readonly updates: StatusUpdate[];
  done: Promise<void>;
}

const ignore = (): void => undefined;

/** Most status updates one group carries: a bigger write would hold the store (and a one-thread master) too long. */
const MAX_GROUP = 5000;

/**
 * One cycle's task writes, in the order they were issued and under the
 * instance's fencing token (X3), each retried by the write chain (B11). A
 * write that fails for good goes to the `onFatal` given at creation.
 * Status updates are group-committed (B33): updates issued while the last
 * write issued is a status write not yet started join it, so reports that
 * arrive while the store is busy go in one write, and the order of writes
 * is still the order they were issued in.
 */
export class TaskWrites {
  readonly #store: InstanceStore;
  readonly #fence: Fence;
  readonly #chain: WriteChain;
  #failure: unknown = null;
  /** The status write updates may still join: issued last and not started. */
  #group: UpdateGroup | null = null;
  /** Settles (never rejects) when the last write issued has. */
  #last: Promise<void> = Promise.resolve();

  /** A5: told how long each store write took, seconds. */
  readonly #timed: (seconds: number) => void;

  /** @param timed told how long each store write took (seconds), once per write — a write is a batch. */
  constructor(store: InstanceStore, fence: Fence, onFatal: (e: unknown) => void, timed: (seconds: number) => void = () => undefined) {
    this.#store = store;
    this.#fence = fence;
    this.#timed = timed;
    // A store that keeps the order and retries itself (the SQLite store on its own thread) gets its writes pipelined.
    const pipelined = store.writeAttempts !== undefined;
    this.#chain = new WriteChain((e) => {
      this.#failure ??= e;
      onFatal(e);
    }, pipelined ? 1 : 3, pipelined);
  }

  /** The first write that failed for good (or was fenced), or null: the cycle's data is incomplete then. */
  get failure(): unknown { return this.#failure; }

  /** Writes queued and not yet done. */
  get pending(): number { return this.#chain.pending; }

  /** Resolves once every queued write has settled. */
  drain(): Promise<void> { return this.#chain.drain(); }

  /**
   * Resolves once every write issued so far is stored; rejects with the
   * first failure when one of this cycle's writes failed for good. A status
   * report is acknowledged only after this (B33).
   */
  durable(): Promise<void> {
    return this.#last.then(() => { if (this.#failure !== null) throw this.#failure; });
  }

  /** Queues a write after the others; ends the open update group, so it cannot jump ahead of this one. */
  #run<T>(write: () => Promise<T>): Promise<T> {
    this.#group = null;
    // Timed inside the chain: the write itself, not its wait behind the writes before it
    // (pipelined, the store's answer also waits for the writes it runs first).
    const timed = async () => {
      const t0 = performance.now();
      try {
        return await write();
      } finally {
        this.#timed((performance.now() - t0) / 1000);
      }
    };
    const p = this.#chain.run(timed);
    this.#last = this.#chain.settled;
    return p;
  }

  #fire(write: () => Promise<unknown>): void {
    this.#run(write).catch(ignore);
  }

  /** Stores new tasks; resolves with the mask of rows actually inserted (B2). */
  insert(tasks: readonly NewTask[]): Promise<Uint8Array> {
    return this.#run(() => this.#store.insertTasks(this.#fence, tasks));
  }

  /** Takes up to `limit` stored INIT rows not in memory (B10). */
  claimInit(limit: number): Promise<TaskRow[]> {
    return this.#run(() => this.#store.claimInit(this.#fence, limit));
  }

  /** B27: records a dispatched batch — which worker holds which tasks at which attempt — as one write; nobody waits for it. */
  recordDispatch(record: DispatchRecord): void {
    if (record.seqs.length > 0) this.#fire(() => this.#store.recordDispatch(this.#fence, record));
  }

  /** B27: replaces the instance's dispatch records (a resume keeps only the assignments it kept). */
  replaceDispatches(records: readonly DispatchRecord[]): Promise<void> {
    return this.#run(() => this.#store.replaceDispatches(this.#fence, records));
  }

  /**
   * Writes status changes (reports, failover, failures), joining the open
   * group when there is one (B33); the promise settles with the write that
   * carries them (a failure also goes to `onFatal`; callers may ignore it).
   */
  update(updates: readonly StatusUpdate[]): Promise<void> {
    if (updates.length === 0) return this.#last;
    const open = this.#group;
    if (open !== null && open.updates.length + updates.length <= MAX_GROUP) {
      for (const u of updates) open.updates.push(u);
      return open.done;
    }
    const g: UpdateGroup = { updates: [...updates], done: Promise.resolve() };
    g.done = this.#run(() => {
      // Started: later updates go to a new group (a retry of this write sends the same rows).
      if (this.#group === g) this.#group = null;
      return this.#store.updateStatuses(this.#fence, g.updates);
    });
    g.done.catch(ignore);
    this.#group = g;
    return g.done;
  }

  /** Writes status changes and resolves once they are stored. */
  updateNow(updates: readonly StatusUpdate[]): Promise<void> {
    return this.#run(() => this.#store.updateStatuses(this.#fence, updates));
  }

  /** Fails every unfinished row of the instance (B17). */
  failUnfinished(reason: string): Promise<number> {
    return this.#run(() => this.#store.failUnfinished(this.#fence, reason));
  }

  /** After a restart: every INIT row back to the claims, rows a store written before B27 left in flight failed over (X3). */
  resetForResume(failover: boolean, reason: string): Promise<void> {
    return this.#run(() => this.#store.resetForResume(this.#fence, failover, reason));
  }
}
