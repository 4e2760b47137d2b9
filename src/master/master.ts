/**
 * The master: hosts many instances at once, keeps the worker registry, hosts
 * its own worker (ROOT, reduce), and answers workers' messages.
 */
import { CompletionWaiters } from "./completion-waiters.ts";
import type { CoreEngine } from "../core/types.ts";
import type { Clock } from "../runtime/clock.ts";
import { unknownLoad, type LoadProbe } from "../runtime/load-probe.ts";
import type { JsonValue } from "../protocol/messages.ts";
import type { Transport } from "../protocol/transport.ts";
import type { Fence, InstanceRecord, TaskStore } from "../store/task-store.ts";
import { FencedError } from "../store/errors.ts";
import { processorKind } from "../processor/define.ts";
import type { ProcessorMap } from "../processor/types.ts";
import { ValidationError } from "../errors/validation-error.ts";
import { expectInt } from "../errors/validate.ts";
import { resolveSettings, type ResolvedSettings } from "./settings.ts";
import { view, type InstanceView, type MasterEvent, type MasterOptions, type MasterWorker, type Submission } from "./master-types.ts";

export type { InstanceView, MasterEvent, MasterOptions, MasterWorker, Submission } from "./master-types.ts";
import { WorkerRegistry } from "./worker-registry.ts";
import { WorkerDesk } from "./worker-desk.ts";
import { checkTaskQuery, readTaskPage, type TaskPage, type TaskPageQuery } from "./task-pages.ts";
import { checkRerun, RetryRefusedError } from "./rerun.ts";
import { RetentionSweep } from "./retention-sweep.ts";
import { MapTaskMaster, type InstanceHost, type InstanceProgress, type ProgressListener } from "./instance/index.ts";
import { SubmitConflictError, UnknownProcessorError } from "./errors.ts";
import { checkSubmission, submissionDiff } from "./submission.ts";
import { listPage, loadedProcessors, type LoadedProcessor, type PageQuery } from "./instance-list.ts";
import { resolveLeaseSettings, type LeaseSettings } from "./lease-settings.ts";
import { LeaseKeeper } from "./lease-keeper.ts";
import { FenceWatchStore } from "./fence-watch-store.ts";
import { watchIntegrity } from "./integrity-watch.ts";
import { errorMessage } from "../errors/error-message.ts";
import { randomKey } from "../runtime/random-key.ts";
import { RunningCap } from "./running-cap.ts";
import { MasterMetrics } from "./master-metrics.ts";
import { BatchRides } from "./batch-rides.ts";

/** A master: submit, watch and kill instances; workers talk to it through the transport. */
export class Master {
  /** Where workers reach this master. */
  readonly address: string;
  /** Identifies this master as an owner of instances (X3). */
  readonly masterId: string;
  /** Timeout of requests to workers and of requests forwarded to other masters, ms. */
  readonly requestTimeoutMs: number;
  readonly #store: TaskStore;
  readonly #transport: Transport;
  /** W4: start batches riding on the replies to workers' reports. */
  readonly #rides: BatchRides;
  readonly #clock: Clock;
  readonly #ownWorker: MasterWorker;
  /** Renews leases and takes over expired instances; null when the master runs alone. */
  readonly #leases: LeaseKeeper | null;
  /** What every instance of this master is given. */
  readonly #instanceHost: InstanceHost;
  readonly #log: (e: MasterEvent) => void;
  /** Instances given up: the store refused a write ("fenced") or the lease was lost ("lease"). */
  readonly #deposed = { fenced: 0, lease: 0 };
  #takenOver = 0;
  /** Writes the store refused for a stale token (shared masters count them). */
  #fencedWrites = 0;
  /** Instances whose first refused write was logged (one line each, not one per write). */
  readonly #fencedLogged = new Set<string>();
  readonly #registry: WorkerRegistry;
  /** Carried by every message to workers; they refuse one without it (H16). Made with the master, never shown. */
  readonly #credential = randomKey();
  /** Handed to the own worker only: registering under its id takes it (H17). */
  readonly #ownKey = randomKey();
  readonly #instances = new Map<string, MapTaskMaster>();
  /** Who waits for an instance to end (waitFor). */
  readonly #finished = new CompletionWaiters();
  readonly #sweep: RetentionSweep;
  /** H7: instances started at a user's request stop at this cap; resumed and taken-over ones count. */
  readonly #cap: RunningCap;
  /** A5: counters, histograms and gauges of this master (GET /metrics). */
  readonly metrics: MasterMetrics;
  #unserve: (() => void) | null = null;
  #started = false;
  #closed = false;

  constructor(o: MasterOptions) {
    if (typeof o.address !== "string" || o.address === "") throw new ValidationError("address", "a non-empty string", o.address);
    this.#transport = o.transport;
    this.#rides = new BatchRides(o.clock);
    this.#clock = o.clock;
    this.address = o.address;
    this.#ownWorker = o.ownWorker;
    this.masterId = o.masterId ?? o.address;
    this.requestTimeoutMs = expectInt("requestTimeoutMs", o.requestTimeoutMs ?? 30_000, 1);
    this.#log = o.log ?? (() => undefined);
    const shared = o.shared ?? false;
    if (typeof shared !== "boolean" && (typeof shared !== "object" || shared === null)) {
      throw new ValidationError("shared", "a boolean or an object { leaseMs, renewMs, takeoverMs }", shared);
    }
    // Shared, every refused write is counted: after a pause the lease loss may be noticed first, and the
    // writes already on their way are then the only trace that fencing held.
    // B35: damaged data in the store stops the master (once), instead of an error per request forever.
    const onFatal = o.onFatal ?? (() => undefined);
    let fatal = false;
    const watched = watchIntegrity(o.store, (e) => {
      if (fatal) return;
      fatal = true;
      this.close();
      this.#log({ event: "store-integrity-error", store: e.store, error: e.message });
      onFatal(e);
    });
    this.metrics = new MasterMetrics({
      running: () => this.#instances.size,
      workers: () => this.#registry.all().length,
      queued: () => { let n = 0; for (const i of this.#instances.values()) n += i.queued; return n; },
    });
    this.#store = shared === false ? watched : new FenceWatchStore(watched, (e) => {
      this.#fencedWrites++;
      this.metrics.fenced.inc([]);
      if (this.#fencedLogged.has(e.instanceId)) return;
      this.#fencedLogged.add(e.instanceId);
      this.#log({ event: "write-fenced", instanceId: e.instanceId, token: e.token, current: e.current });
    });
    this.#leases = shared === false ? null : new LeaseKeeper(this.#leaseHost(), resolveLeaseSettings(shared));
    this.#registry = new WorkerRegistry(o.ownWorker.workerId, this.#ownKey);
    this.#cap = new RunningCap(o.maxRunningInstances ?? 1000);
    this.#instanceHost = this.#hostForInstances(o.loadProbe ?? unknownLoad, o.engine ?? "wasm");
    this.#sweep = new RetentionSweep(this.#store, this.#clock, expectInt("sweepMs", o.sweepMs ?? 60_000, 1),
      (e) => this.#log({ event: "sweep-failed", error: errorMessage(e) }));
  }

  /**
   * Starts serving workers, registers the own worker, and resumes running
   * instances (X3): alone, every RUNNING instance of the store; shared, its
   * own (same masterId) and those whose lease ran out — then keeps renewing
   * and taking over on the lease intervals.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const desk = new WorkerDesk(this.#registry, this.#clock, this.#instances, this.#credential, {
      address: this.address, ownerOf: (id) => this.remoteOwner(id),
    }, this.#rides);
    this.#unserve = this.#transport.serve(this.address, "master", (m) => desk.handle(m));
    await this.#ownWorker.join(this.address, { ownKey: this.#ownKey });
    await this.#resumeAll();
    this.#leases?.start();
    this.#sweep.start();
  }

  /** Stops serving and drops every instance from memory without writing (its store state stays). */
  close(): void {
    this.#closed = true;
    this.#leases?.stop();
    this.#sweep.stop();
    this.#unserve?.();
    this.#unserve = null;
    for (const i of this.#instances.values()) i.close();
    this.#instances.clear();
  }

  /**
   * Closes, and when shared ends the leases of the instances it ran, so
   * another master takes them over at its next scan instead of after the
   * lease runs out (a graceful stop). Nothing else is written.
   */
  async shutdown(): Promise<void> {
    const fences = this.#held();
    this.close();
    if (!this.#leases || fences.length === 0) return;
    await this.#store.renewLeases(this.masterId, fences, this.#leases.terms(0)).catch(() => undefined);
  }

  /**
   * Since start: instances given up because the store refused a write
   * (deposedFenced) or the lease was lost (deposedLease), instances taken
   * over from other masters, and writes refused for a stale token (counted
   * when shared).
   */
  ownership(): { deposedFenced: number; deposedLease: number; takenOver: number; fencedWrites: number } {
    return { deposedFenced: this.#deposed.fenced, deposedLease: this.#deposed.lease, takenOver: this.#takenOver, fencedWrites: this.#fencedWrites };
  }

  /** The lease timing, when this master shares its store with others (X3); null when it runs alone. */
  get leaseSettings(): LeaseSettings | null {
    return this.#leases?.settings ?? null;
  }

  /** Registered worker incarnations, the master's own worker included. */
  workerCount(): number {
    return this.#registry.all().length;
  }

  /**
   * The owner of instance `id` when another master runs it (X3): this master
   * is shared, the instance is not running here, and the store says it is
   * RUNNING under another owner. Null otherwise: this master answers for it.
   */
  async remoteOwner(id: string): Promise<string | null> {
    if (!this.#leases || this.#instances.has(id)) return null;
    const rec = await this.#store.getInstance(id);
    if (!rec || rec.status !== "RUNNING" || rec.owner === this.masterId) return null;
    return rec.owner;
  }

  /** What every instance of this master is given: the plumbing stays private to the master. */
  #hostForInstances(loadProbe: LoadProbe, engine: CoreEngine): InstanceHost {
    return {
      store: this.#store, transport: this.#transport, clock: this.#clock, loadProbe, engine, metrics: this.metrics,
      address: this.address, credential: this.#credential, ownWorker: this.#ownWorker, requestTimeoutMs: this.requestTimeoutMs,
      recordFirst: this.#leases !== null, rides: this.#rides,
      workers: () => this.#registry.all(),
      currentWorker: (workerId) => this.#registry.current(workerId),
      declareDead: (w) => this.#registry.remove(w),
      onCycleEnd: (fence, final) => {
        const i = this.#instances.get(fence.instanceId);
        if (i?.fence !== fence || !final) return;
        this.metrics.instanceFinished(i.processorName, i.status);
        // Shared: an ended instance's lease ends with it, so any master may take it for a retry (B26) at once.
        if (!this.#leases) return this.#forget(i);
        void this.#store.renewLeases(this.masterId, [fence], this.#leases.terms(0)).catch(() => undefined).finally(() => this.#forget(i));
      },
      onDeposed: (fence, reason) => {
        const i = this.#instances.get(fence.instanceId);
        if (i?.fence !== fence) return;
        this.#deposed.fenced++;
        this.metrics.deposed.inc(["fenced"]);
        this.#log({ event: "instance-deposed", instanceId: fence.instanceId, reason });
        this.#forget(i);
      },
    };
  }

  /**
   * Drops an instance that is final or no longer ours, and answers its
   * waiters — when shared and still RUNNING elsewhere, once it ends there.
   */
  #forget(i: MapTaskMaster): void {
    if (this.#instances.get(i.instanceId) === i) this.#instances.delete(i.instanceId);
    const waiters = this.#finished.take(i.instanceId);
    if (waiters) void this.waitFor(i.instanceId).then((v) => { for (const w of waiters) w(v); }, () => undefined);
  }

  /** The fences of the instances running here. */
  #held(): Fence[] {
    return [...this.#instances.values()].map((i) => i.fence);
  }

  /** What the lease keeper sees of this master. */
  #leaseHost() {
    return {
      store: this.#store,
      clock: this.#clock,
      masterId: this.masterId,
      held: () => this.#held(),
      runs: (id: string) => this.#instances.has(id),
      canRun: (rec: InstanceRecord) => this.#canRun(rec),
      lost: (fences: readonly Fence[], reason: string) => {
        for (const f of fences) {
          const i = this.#instances.get(f.instanceId);
          if (!i || i.fence.token !== f.token) continue;
          i.close();
          this.#deposed.lease++;
          this.metrics.deposed.inc(["lease"]);
          this.#log({ event: "instance-deposed", instanceId: f.instanceId, reason });
          this.#forget(i);
        }
      },
      adopt: async (rec: InstanceRecord, fence: Fence) => {
        if (this.#closed) return;
        this.#takenOver++;
        this.metrics.takenOver.inc([]);
        this.#log({ event: "instance-taken-over", instanceId: rec.instanceId, from: rec.owner, token: fence.token });
        await this.#adopt(rec, fence);
      },
    };
  }

  // ---- users ----

  /**
   * Submits an instance. Refuses (ValidationError / UnknownProcessorError,
   * nothing created) an unknown processor, one that is neither Map nor
   * MapReduce (B19), or a bad setting. An `instanceId` is a create-once key
   * (A1): the same submit again returns that id and creates nothing; a
   * different one throws SubmitConflictError.
   */
  async submit(s: Submission): Promise<string> {
    return (await this.submitOnce(s)).instanceId;
  }

  /**
   * A1: `submit`, telling whether the instance was created now (`created`)
   * or already existed with the same processor, params and settings — a
   * retried submit whose first reply was lost (HTTP answers 201 or 200).
   */
  async submitOnce(s: Submission): Promise<{ instanceId: string; created: boolean }> {
    if (!this.#started) throw new Error("master not started: call start() first");
    const { processor, settings, params, instanceId } = checkSubmission(s, this.#ownWorker.processors);
    /** A1: the instance already there is this submit's when nothing differs. */
    const existing = async (): Promise<{ instanceId: string; created: boolean } | null> => {
      const rec = s.instanceId === undefined ? null : await this.#store.getInstance(instanceId);
      if (!rec) return null;
      const field = submissionDiff(rec, s.processor, params, settings);
      if (field !== null) throw new SubmitConflictError(instanceId, field);
      return { instanceId, created: false };
    };
    // Before the cap: a retried submit is answered even when the master is full.
    const before = await existing();
    if (before) return before;
    const admitted = this.#cap.admit(this.#instances.size);
    try {
      const now = this.#clock.now();
      let fence: Fence;
      try {
        fence = await this.#store.createInstance({
          instanceId, processor: s.processor, settings: settings as unknown as JsonValue, params, serialNum: 1, createdAt: now,
        }, this.masterId, this.#leases?.terms());
      } catch (e) {
        // Two submits of one key at once: the one that lost the race sees the winner's.
        // By name: a store in another thread (ThreadedStore) hands its errors back as plain Errors.
        const raced = e instanceof Error && e.name === "DuplicateInstanceError" ? await existing() : null;
        if (raced) return raced;
        throw e;
      }
      const record = (await this.#store.getInstance(instanceId))!;
      const inst = new MapTaskMaster(this.#instanceHost, record, settings, processor, fence);
      this.#instances.set(instanceId, inst);
      admitted();
      await inst.start();
    } finally {
      admitted();
    }
    return { instanceId, created: true };
  }

  /** The instance (live, or from the store), or null. */
  async get(instanceId: string): Promise<InstanceView | null> {
    const live = this.#instances.get(instanceId);
    const rec = await this.#store.getInstance(instanceId);
    if (!rec) return null;
    if (live) {
      const p = live.progress();
      return { ...view(rec), status: live.status, result: live.result, serialNum: live.serialNum, progress: { names: p.names, workers: p.workers } };
    }
    return view(rec);
  }

  /** Instances, newest first. */
  async list(filter?: { status?: InstanceRecord["status"]; limit?: number }): Promise<InstanceView[]> {
    return (await this.#store.listInstances(filter)).map(view);
  }

  /**
   * A3: a page of instances, newest first, filtered by status and processor;
   * `next` is the `before` of the following page, null when this one is the
   * last. A `before` that names no instance is refused (ValidationError).
   */
  listPage(q: PageQuery): Promise<{ instances: InstanceView[]; next: string | null }> {
    return listPage(this.#store, q);
  }

  /** A4: the processors this master can run (its own worker's), sorted by name, with their kind. */
  processors(): LoadedProcessor[] {
    return loadedProcessors(this.#ownWorker.processors);
  }

  /** Live progress of a running instance (B13), or null when it is not running here. */
  progress(instanceId: string): InstanceProgress | null {
    return this.#instances.get(instanceId)?.progress() ?? null;
  }

  /** Subscribes to progress pushes of a running instance; returns unsubscribe (a no-op when not running). */
  watch(instanceId: string, fn: ProgressListener): () => void {
    return this.#instances.get(instanceId)?.watch(fn) ?? (() => undefined);
  }

  /**
   * Resolves with the instance once it is final (SUCCESS or FAILED). Alone,
   * an instance not running here resolves as it is now; shared, one running
   * on another master is read from the store on the takeover interval until
   * it ends (or runs here). Aborting `signal` rejects with its reason and
   * forgets the waiter at once (H9): a client that leaves leaves nothing behind.
   */
  async waitFor(instanceId: string, o: { signal?: AbortSignal } = {}): Promise<InstanceView> {
    const { signal } = o;
    let v = await this.get(instanceId);
    if (!v) throw new ValidationError("instanceId", "a known instance", instanceId);
    while (v.status === "RUNNING" && !this.#instances.has(instanceId) && this.#leases && !this.#closed) {
      signal?.throwIfAborted();
      const ms = this.#leases.settings.takeoverMs;
      await new Promise<void>((r) => this.#clock.setTimeout(r, ms));
      v = (await this.get(instanceId))!;
    }
    if (v.status !== "RUNNING" || !this.#instances.has(instanceId)) return v;
    signal?.throwIfAborted();
    return this.#finished.wait(instanceId, signal);
  }

  /** H9: completion waiters and progress listeners held now, over every instance (each client that leaves takes its own). */
  listenerCounts(): { waiters: number; watchers: number } {
    const waiters = this.#finished.count;
    let watchers = 0;
    for (const i of this.#instances.values()) watchers += i.watcherCount;
    return { waiters, watchers };
  }

  /**
   * B25: a page of the instance's tasks, in task order, filtered by status
   * and name; a running instance's rows show its live state. Null when the
   * instance is unknown; a bad query throws a ValidationError.
   */
  async tasks(instanceId: string, q: TaskPageQuery = {}): Promise<TaskPage | null> {
    checkTaskQuery(q);
    if (!(await this.#store.getInstance(instanceId))) return null;
    const live = this.#instances.get(instanceId);
    return readTaskPage(this.#store, instanceId, q, live ? (rows) => live.overlay(rows) : null);
  }

  /**
   * B26: runs a FAILED instance again over its failed tasks: they go back to
   * INIT with a fresh retry budget, the instance is RUNNING again under a new
   * serialNum on this master, its succeeded tasks kept, and reduce runs over
   * every result at the end. Null when the instance is unknown; throws
   * RetryRefusedError (RUNNING, SUCCESS, recurring, tasks not kept) or
   * UnknownProcessorError (processor not loaded here).
   */
  async retryFailed(instanceId: string): Promise<InstanceView | null> {
    if (!this.#started) throw new Error("master not started: call start() first");
    const rec = await this.#store.getInstance(instanceId);
    if (!rec) return null;
    checkRerun(rec);
    const processor = this.#ownWorker.processors[rec.processor];
    if (!processor || !processorKind(processor)) throw new UnknownProcessorError(rec.processor, Object.keys(this.#ownWorker.processors));
    const settings = resolveSettings(rec.settings);
    const admitted = this.#cap.admit(this.#instances.size);
    try {
      return await this.#rerun(rec, processor, settings);
    } finally {
      admitted();
    }
  }

  /** B26's rerun of a FAILED instance once admitted under the cap (H7). */
  async #rerun(rec: InstanceRecord, processor: NonNullable<ProcessorMap[string]>, settings: ResolvedSettings): Promise<InstanceView | null> {
    const instanceId = rec.instanceId;
    const fence = await this.#store.acquireInstance(instanceId, this.masterId, this.#leases?.terms());
    const now = this.#clock.now();
    const serialNum = rec.serialNum + 1;
    // RUNNING first: from then on no sweep touches its tasks. One that ran before may have taken them.
    await this.#store.updateInstance(fence, {
      status: "RUNNING", result: null, finishedAt: null, serialNum, startedAt: now, retainUntil: null, failedCount: 0, errors: [],
    });
    if ((await this.#store.countByStatus(instanceId)).length === 0) {
      await this.#store.updateInstance(fence, { status: "FAILED", result: rec.result, finishedAt: rec.finishedAt, serialNum: rec.serialNum });
      throw new RetryRefusedError(`instance ${instanceId} no longer has its tasks: they were swept once retainFor had passed`);
    }
    await this.#store.retryFailed(fence);
    const inst = new MapTaskMaster(this.#instanceHost, { ...rec, status: "RUNNING", serialNum, startedAt: now, fence: fence.token }, settings, processor, fence);
    this.#instances.set(instanceId, inst);
    await inst.resume();
    return this.get(instanceId);
  }

  /** B17: kills an instance. Returns false when it is not running here. */
  async kill(instanceId: string, reason = "killed by user"): Promise<boolean> {
    const i = this.#instances.get(instanceId);
    if (!i) return false;
    await i.kill(reason);
    return true;
  }

  /** B17: kills one task of a running instance. Returns false when there is no such unfinished task. */
  async killTask(instanceId: string, taskId: string, reason = "killed by user"): Promise<boolean> {
    const i = this.#instances.get(instanceId);
    return i ? i.killTask(taskId, reason) : false;
  }

  /** Ids of the instances running on this master. */
  running(): string[] {
    return [...this.#instances.keys()];
  }

  /** Counts of refused reports and transitions of a running instance (for tests and metrics). */
  refusals(instanceId: string) {
    return this.#instances.get(instanceId)?.refusals() ?? null;
  }

  /**
   * Alone: takes every RUNNING instance of the store. Shared: its own (a
   * restart under the same masterId need not wait for its leases to run out)
   * and those whose lease ran out; others' running leases are left alone.
   */
  async #resumeAll(): Promise<void> {
    const running = await this.#store.listInstances({ status: "RUNNING" });
    const now = this.#clock.now();
    for (const rec of running) {
      if (this.#instances.has(rec.instanceId)) continue;
      let fence: Fence | null;
      if (this.#leases) {
        if (rec.owner !== this.masterId && rec.leaseUntil !== null && rec.leaseUntil > now) continue;
        if (!this.#canRun(rec)) continue;
        fence = await this.#leases.acquire(rec.instanceId);
        if (fence === null) continue;
      } else {
        try {
          fence = await this.#store.acquireInstance(rec.instanceId, this.masterId);
        } catch (e) {
          if (e instanceof FencedError) continue;
          throw e;
        }
      }
      await this.#adopt(rec, fence);
    }
  }

  /** Whether this master has the instance's processor loaded. */
  #canRun(rec: InstanceRecord): boolean {
    const p = this.#ownWorker.processors[rec.processor];
    return p !== undefined && processorKind(p) !== null;
  }

  /** Runs an instance just acquired: resumed from the store (X3), or failed when it cannot run here. */
  async #adopt(rec: InstanceRecord, fence: Fence): Promise<void> {
    const processor = this.#ownWorker.processors[rec.processor];
    if (!processor || !processorKind(processor)) {
      await this.#store.updateInstance(fence, { status: "FAILED", result: `processor not loaded on the resuming master: ${rec.processor}`, finishedAt: this.#clock.now() });
      return;
    }
    let settings: ResolvedSettings;
    try {
      settings = resolveSettings(rec.settings);
    } catch (e) {
      await this.#store.updateInstance(fence, { status: "FAILED", result: `stored settings are invalid: ${(e as Error).message}`, finishedAt: this.#clock.now() });
      return;
    }
    const inst = new MapTaskMaster(this.#instanceHost, { ...rec, fence: fence.token }, settings, processor, fence);
    this.#instances.set(rec.instanceId, inst);
    await inst.resume();
  }

}
