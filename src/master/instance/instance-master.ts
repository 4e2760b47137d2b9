/**
 * MapTaskMaster: one instance's master — its lifecycle (B1, B12, B17, B18,
 * B20; X3's resume) as one explicit mode. The work of a cycle is done by the
 * collaborators of `Cycle`: map intake, push or pull dispatch, status
 * reports, worker liveness; the hot path runs in the WASM core in batches.
 */
import type { InstanceSpec, JsonValue, MapBatch, Pull, ReportColumns } from "../../protocol/messages.ts";
import { refuse, type MapReply, type PullReply, type Refusal } from "../../protocol/replies.ts";
import type { TimerId } from "../../runtime/clock.ts";
import { FencedError } from "../../store/errors.ts";
import type { Fence, InstanceRecord, TaskRow } from "../../store/task-store.ts";
import type { Processor } from "../../processor/types.ts";
import type { ResolvedSettings } from "../settings.ts";
import type { WorkerInfo } from "../worker-registry.ts";
import { decideOutcome, failureCounts, retains } from "./completion.ts";
import { allowedFailures } from "../settings.ts";
import { timedOutMessage } from "../../runtime/duration-text.ts";
import { Cycle } from "./cycle.ts";
import type { InstanceHost, ReduceOutcome } from "./host.ts";
import { failEverything, killTask } from "./kill.ts";
import { hasLiveCycle, nextMode, takesWork, type InstanceMode } from "./mode.ts";
import type { InstanceProgress, ProgressListener } from "./progress.ts";
import { restoreCounters } from "./resume.ts";
import { compactRecords, fitPlan, planResume, releaseUnkept } from "./resume-plan.ts";
import { MAX_WORKERS } from "./worker-table.ts";
import { ROOT } from "./task-names.ts";
import { retryWrite } from "./retry-write.ts";
import { errorMessage } from "../../errors/error-message.ts";

/** One instance's master. */
export class MapTaskMaster {
  readonly instanceId: string;
  readonly settings: ResolvedSettings;
  readonly processorName: string;
  /** The ownership this master writes with (its lease is renewed under it). */
  readonly fence: Fence;
  readonly #processor: Processor;
  readonly #params: JsonValue;
  readonly #host: InstanceHost;
  readonly #listeners = new Set<ProgressListener>();
  #mode: InstanceMode = "starting";
  #cycle!: Cycle;
  #serialNum: number;
  #status: InstanceRecord["status"] = "RUNNING";
  #result: JsonValue = null;
  /** Cycles run, those before a restart or takeover included (maxCycles counts them, B20). */
  #cycles = 0;
  /** Why the instance was killed or failed to start: no further cycle runs. */
  #killed: string | null = null;
  #cycleTimer: TimerId | undefined;
  /** The instance's timeout (B23), while armed. */
  #timeoutTimer: TimerId | undefined;
  /** Ends a reduce or postProcess the instance's timeout cut short (B23), while one runs. */
  #expire: ((why: string) => void) | null = null;
  /** When the current cycle started: its timeout counts from it (B23); stored, so a restart keeps it. */
  #startedAt: number;

  constructor(host: InstanceHost, record: InstanceRecord, settings: ResolvedSettings, processor: Processor, fence: Fence) {
    this.#host = host;
    this.instanceId = record.instanceId;
    this.processorName = record.processor;
    this.#processor = processor;
    this.#params = record.params;
    this.settings = settings;
    this.fence = fence;
    this.#serialNum = record.serialNum;
    this.#startedAt = record.startedAt ?? record.createdAt;
  }

  /** RUNNING until the last cycle ends. */
  get status(): InstanceRecord["status"] { return this.#status; }
  /** Tasks waiting in the current cycle's dispatch queue (0 between cycles). */
  get queued(): number { return hasLiveCycle(this.#mode) ? this.#cycle.queue.pending : 0; }
  /** The current cycle. */
  get serialNum(): number { return this.#serialNum; }
  /** The instance's result so far. */
  get result(): JsonValue { return this.#result; }
  /** Where the instance is in its lifecycle. */
  get mode(): InstanceMode { return this.#mode; }

  /** Whether the instance closed meanwhile (checked after an await or a call that may end it). */
  #isClosed(): boolean {
    return this.#mode === "closed";
  }

  /** Whether the instance still runs (checked after a call that may end it). */
  #isRunning(): boolean {
    return this.#mode === "running";
  }

  #setMode(to: InstanceMode): void {
    this.#mode = nextMode(this.#mode, to);
    if (!takesWork(to) && to !== "starting") this.#cycle?.stop();
  }

  // ---- lifecycle ----

  /** Starts a cycle of a new instance (or the next cycle of a recurring one): store and run ROOT (B1). */
  async start(): Promise<void> {
    const cycle = this.#newCycle();
    this.#startedAt = cycle.startedAt;
    const root = { seq: 0, taskId: "r", parentId: null, name: "ROOT", body: this.#params, queued: true };
    cycle.intake.nextSeq = 1;
    try {
      await cycle.writes.insert([root]);
    } catch (e) {
      return this.#failStart(e);
    }
    if (this.#mode !== "starting") return;
    cycle.core.counters.add(Int32Array.of(ROOT), Int32Array.of(1));
    const h = new Uint32Array(1);
    cycle.core.table.admit(Int32Array.of(ROOT), Int32Array.of(0), 1, h);
    cycle.slots.set(h[0]!, 0, "r", this.#params, 0, cycle.clock.now());
    // Running before ROOT goes (it maps at once), and ROOT on its way before pull workers are told to
    // pull: the master's own worker then gives ROOT its slot first.
    this.#setMode("running");
    this.#armTimeout(cycle);
    cycle.dispatchRoot(h[0]!);
    if (this.#isRunning()) cycle.begin();
  }

  /**
   * Resumes an instance after a master restart or a takeover (X3): the tasks
   * workers still hold per the dispatch records are kept for them (B28), the
   * other tasks handed out are failed over, counters rebuilt from the store
   * plus the records' assignments (X1), and INIT tasks claimed back page by page.
   */
  async resume(): Promise<void> {
    const cycle = this.#newCycle(true);
    // One cycle per serial number: maxCycles counts the cycles run before the restart or takeover too.
    this.#cycles = this.#serialNum;
    const store = this.#host.store;
    try {
      // B28: keep only what the cycle's tables can hold; half the worker table stays for the workers themselves.
      const found = await planResume(store, this.instanceId, this.#host.ownWorker.workerId);
      const plan = fitPlan(found, cycle.core.table.capacity, MAX_WORKERS / 2);
      const reason = "worker lost: master restarted";
      await cycle.writes.resetForResume(this.settings.failover, reason);
      // What was held but is not kept leaves its worker: failed over (its record no longer names it) or failed.
      const released = releaseUnkept(found, plan, this.settings.failover, reason, cycle.clock.now());
      if (released.length > 0) await cycle.writes.updateNow(released);
      // The records shrink to the assignments kept. A crash before this changes nothing: the kept tasks are
      // found again, and the released ones' rows hold a later attempt than any record names.
      await cycle.writes.replaceDispatches(compactRecords(plan.kept));
      const counts = await store.countByStatus(this.instanceId);
      // A recurring job between two cycles (the last one's tasks are cleared): its next cycle starts now.
      if (counts.length === 0 && this.settings.every !== null) return this.#nextCycle();
      if (counts.length === 0) throw new Error("no tasks stored for a running instance");
      cycle.intake.nextSeq = (await store.maxSeq(this.instanceId)) + 1;
      restoreCounters(cycle, counts);
      if (this.#mode !== "starting") return;
      cycle.adopt(plan);
    } catch (e) {
      return this.#failStart(e);
    }
    if (this.#mode !== "starting") return;
    this.#begin(cycle);
    cycle.intake.resumeBacklog();
  }

  /** A fresh cycle (B20): core, tables, collaborators; `resumed` when it resumes the instance (B28). */
  #newCycle(resumed = false): Cycle {
    this.#cycles++;
    const cycle = new Cycle({
      resumed,
      instanceId: this.instanceId, processor: this.processorName, settings: this.settings, host: this.#host, fence: this.fence,
      isCurrent: (c) => c === this.#cycle,
      running: () => takesWork(this.#mode),
      closed: () => this.#mode === "closed",
      serialNum: () => this.#serialNum,
      spec: () => this.#spec(),
      failInstance: (reason) => void this.#abort(reason),
      checkCompletion: () => this.#checkCompletion(),
      emitProgress: () => this.#emitProgress(),
      writeFailed: (e) => this.#writeFailed(e),
    });
    this.#cycle = cycle;
    return cycle;
  }

  #begin(cycle: Cycle): void {
    this.#setMode("running");
    this.#armTimeout(cycle);
    cycle.begin();
  }

  /**
   * B23: the instance (this cycle of a recurring one) is killed `timeout`
   * after it started — a restart does not reset it. The timer is the
   * instance's, not the cycle's: it bounds reduce too, which runs after the
   * cycle stopped taking work.
   */
  #armTimeout(cycle: Cycle): void {
    const limit = this.settings.timeout, clock = this.#host.clock;
    this.#disarmTimeout();
    if (limit === null) return;
    const left = Math.max(0, this.#startedAt + limit - clock.now());
    this.#timeoutTimer = clock.setTimeout(() => {
      this.#timeoutTimer = undefined;
      const why = timedOutMessage(limit);
      this.#killed ??= why;
      if (this.#mode === "finishing") {
        cycle.cancel(why);
        this.#expire?.(why);
      } else void this.#abort(why);
    }, left);
  }

  #disarmTimeout(): void {
    if (this.#timeoutTimer !== undefined) this.#host.clock.clearTimeout(this.#timeoutTimer);
    this.#timeoutTimer = undefined;
  }

  #failStart(e: unknown): void {
    if (e instanceof FencedError) return this.#depose(e);
    if (this.#mode !== "starting") return;
    // A recurring job ends here too: another cycle would fail alike, and the store must say FAILED as memory does.
    this.#killed ??= `failed to start: ${errorMessage(e)}`;
    this.#setMode("finishing");
    void this.#finalize("FAILED", `failed to start: ${errorMessage(e)}`, false);
  }

  /** Stops everything without writing (the master is closing, or was deposed). */
  close(): void {
    if (this.#mode === "closed") return;
    this.#setMode("closed");
    this.#disarmTimeout();
    if (this.#cycleTimer !== undefined) this.#host.clock.clearTimeout(this.#cycleTimer);
    this.#cycle?.cancel("master closed");
  }

  #depose(e: FencedError): void {
    if (this.#mode === "closed") return;
    this.close();
    this.#host.onDeposed(this.fence, e.message);
  }

  #writeFailed(e: unknown): void {
    if (e instanceof FencedError) return this.#depose(e);
    // B11: a write that failed three times fails the instance — now, or when it finishes (X2: the
    // outcome of a finishing instance is decided after its writes drained, so it sees the failure).
    void this.#abort(`persistence failed: ${errorMessage(e)}`);
  }

  #spec(): InstanceSpec {
    return {
      instanceId: this.instanceId, serialNum: this.#serialNum, processor: this.processorName, params: this.#params,
      consumerSize: this.settings.consumerSize, fence: this.fence.token,
      ...(this.settings.taskTimeout === null ? {} : { taskTimeout: this.settings.taskTimeout }),
    };
  }

  // ---- workers (B14, B15) ----

  /** Adds a worker incarnation to the current cycle (a new one, or one that joined late). */
  addWorker(w: WorkerInfo): void {
    if (this.#mode === "starting" || this.#mode === "running") this.#cycle.addWorker(w);
  }

  /**
   * B36: whether a worker may hand this instance's tasks over now: once the
   * resume has read the store and kept what the workers held. Before, its
   * reports would reach a cycle that does not know the tasks yet and be refused.
   */
  takesHandover(): boolean {
    return this.#mode === "running";
  }

  /**
   * B36: a worker already registered here hands over the tasks of this
   * instance it held for the master this one took it over from (`w.held`):
   * the cycle adopts them when its resume kept them for the worker.
   */
  adoptHeld(w: WorkerInfo): void {
    if (this.#mode === "starting" || this.#mode === "running") this.#cycle.adoptHeld(w);
    else w.held?.delete(this.instanceId);
  }

  /** A worker's incarnation is gone (registered again or declared dead): its tasks are failed over. */
  workerGone(w: WorkerInfo, reason: string): void {
    if (hasLiveCycle(this.#mode)) this.#cycle.workerGone(w, reason);
  }

  /** Heartbeat from a worker: load, liveness, and the instances it still runs (B14). */
  onHeartbeat(w: WorkerInfo, instances: readonly string[]): void {
    if (this.#mode === "starting" || this.#mode === "running") this.#cycle.liveness.onHeartbeat(w, instances);
  }

  // ---- messages from workers ----

  /** Stores a batch of children of a running task (B2); resolves once they are durable. */
  async map(w: WorkerInfo, m: MapBatch): Promise<MapReply | Refusal> {
    if (m.serialNum !== this.#serialNum) return refuse("rejected", `stale serialNum ${m.serialNum}, current ${this.#serialNum}`, "serialNum");
    if (!takesWork(this.#mode)) return refuse("rejected", `instance is ${this.#mode}`, "instanceId");
    return this.#cycle.intake.map(w, this.#cycle.adoption.translateMap(m));
  }

  /** A worker asks for tasks (B4): at most pageSize, none past globalConsumerSize or for a stale cycle. */
  async pull(w: WorkerInfo, m: Pull): Promise<PullReply | Refusal> {
    if (this.settings.dispatchMode !== "pull") return refuse("rejected", "instance is not in pull mode", "instanceId");
    if (m.serialNum !== this.#serialNum) return refuse("rejected", `stale serialNum ${m.serialNum}, current ${this.#serialNum}`, "serialNum");
    if (!hasLiveCycle(this.#mode)) return refuse("rejected", `instance is ${this.#mode}`);
    const cycle = this.#cycle;
    const reply = cycle.pull.pull(cycle.workers.indexOf(w.key), w.workerId, m.max);
    cycle.pump();
    return reply;
  }

  /** Applies a worker's reports for this instance (B11); returns [applied, refused]. */
  applyReports(w: WorkerInfo, reports: ReportColumns): [number, number] {
    if (!hasLiveCycle(this.#mode)) {
      this.#host.metrics.reportsRefused("not_running", reports.handles.length);
      return [0, reports.handles.length];
    }
    // B28: a resuming instance knows its workers only once it read the store; until then
    // reports are neither applied nor refused, and reportsDurable answers them busy.
    if (this.#mode === "starting") return [0, 0];
    return this.#cycle.reports.apply(w, this.#cycle.adoption.translate(reports));
  }

  /**
   * B33: resolves once the writes issued so far — those carrying the reports
   * just applied included — are stored; rejects when one failed for good, or
   * while the instance resumes (B28), so the worker sends them again.
   */
  reportsDurable(): Promise<void> {
    if (!hasLiveCycle(this.#mode)) return Promise.resolve();
    if (this.#mode === "starting") return Promise.reject(new Error("the instance is resuming; send the reports again"));
    return this.#cycle.writes.durable();
  }

  // ---- completion (B12, B16, B18, B20) ----

  /** B12: when every task is final and nothing is in flight, decide and finish. */
  #checkCompletion(): void {
    if (this.#mode !== "running") return;
    if (this.settings.failFast && this.#hopeless()) {
      const f = failureCounts(this.#cycle.core, this.#cycle.names.list.length);
      void this.#abort(`${f.failed} of ${f.subTasks} sub-tasks failed${f.rootFailed ? " and ROOT failed" : ""}: more than maxFailedTasks (${this.settings.maxFailedTasks}) allows, failFast`);
      return;
    }
    if (!this.#cycle.allFinal()) return;
    this.#setMode("finishing");
    void this.#complete(this.#cycle);
  }

  /**
   * B24: the instance can no longer succeed — ROOT failed, or more sub-tasks
   * failed than maxFailedTasks allows. A percentage is checked only once
   * every task has ended: until then a running task may still map, and the
   * total the percentage applies to may grow.
   */
  #hopeless(): boolean {
    const c = this.#cycle, f = failureCounts(c.core, c.names.list.length);
    if (f.rootFailed) return true;
    const m = this.settings.maxFailedTasks;
    return typeof m === "number" ? f.failed > m : c.allFinal() && f.failed > allowedFailures(this.settings, f.subTasks);
  }

  async #complete(cycle: Cycle): Promise<void> {
    try {
      await cycle.writes.drain();
    } catch { /* reported through writeFailed */ }
    if (this.#isClosed()) return;
    // X2: a result the store refused would be missing from reduce and from the store: the instance fails.
    if (cycle.writes.failure !== null) return this.#finalize("FAILED", `persistence failed: ${errorMessage(cycle.writes.failure)}`, true);
    // B23: a reduce still running when the instance's timeout passes is aborted, and the instance fails then.
    const expired = new Promise<ReduceOutcome>((resolve) => { this.#expire = (why) => resolve({ status: "FAILED", result: why }); });
    const decided = await Promise.race([decideOutcome({
      cycle, processor: this.#processor, runReduceIfFail: this.settings.runReduceIfFail, ownWorker: this.#host.ownWorker,
      allowed: (subTasks) => allowedFailures(this.settings, subTasks),
      spec: this.#spec(), results: this.#host.store.results(this.instanceId),
    }), expired]);
    this.#expire = null;
    if (this.#isClosed()) return;
    const { status, result } = decided;
    await this.#finalize(status, result, true);
  }

  /** Records the outcome of a cycle, cleans up (B18), and schedules the next cycle (B20). Runs in `finishing`. */
  async #finalize(status: "SUCCESS" | "FAILED", result: JsonValue, clean: boolean): Promise<void> {
    const cycle = this.#cycle, s = this.settings;
    cycle.pull.finish();
    const progress = cycle.progress();
    const again = this.#killed === null && s.every !== null && (s.maxCycles === null || this.#cycles < s.maxCycles);
    this.#result = result;
    if (!again) this.#status = status;
    const store = this.#host.store;
    try {
      await cycle.writes.drain();
      if (cycle.writes.failure !== null && status === "SUCCESS") {
        // X2: a write refused while the outcome was being decided: the data is not all there.
        status = "FAILED";
        result = this.#result = `persistence failed: ${errorMessage(cycle.writes.failure)}`;
        if (!again) this.#status = status;
      }
      const now = this.#host.clock.now();
      // B25: the last run's tasks stay for inspection and a retry when retainTasks says so.
      const keep = clean && !again && retains(s, status);
      const failures = { failedCount: failureCounts(cycle.core, cycle.names.list.length).failed, errors: [...cycle.failures.first] };
      try {
        // X2: the outcome (a reduce result included) is retried like any write …
        await retryWrite(() => store.updateInstance(this.fence, again
          ? { result, progress, ...failures }
          : { status, result, progress, finishedAt: now, ...failures, retainUntil: keep ? now + s.retainFor : null }));
      } catch (e) {
        if (e instanceof FencedError || again) throw e;
        // … and when it is refused for good, the record says FAILED rather than keep a SUCCESS
        // unwritten; if even that is refused, it stays RUNNING and a restart resumes it (X3).
        status = "FAILED";
        result = this.#result = `persistence failed: ${errorMessage(e)}`;
        this.#status = status;
        await retryWrite(() => store.updateInstance(this.fence, { status: "FAILED", result, progress, finishedAt: now, ...failures, retainUntil: now + s.retainFor }))
          .catch((e2: unknown) => { if (e2 instanceof FencedError) throw e2; });
        clean = false;
      }
      for (const w of cycle.workers.all()) if (w.incarnation >= 0) cycle.liveness.destroyPoolOn(w);
      // Clearing is housekeeping after the outcome is stored: a refusal leaves rows, never changes the outcome.
      const housekeeping = (e: unknown) => { if (e instanceof FencedError) throw e; };
      if (clean && !keep) await retryWrite(() => store.clearTasks(this.fence)).catch(housekeeping);
      // B27: nothing is in flight any more: the dispatch records go (clearTasks took them with the tasks).
      else await retryWrite(() => store.replaceDispatches(this.fence, [])).catch(housekeeping);
    } catch (e) {
      if (e instanceof FencedError) return this.#depose(e);
      this.#status = "FAILED";
      this.#result = `persistence failed: ${errorMessage(e)}`;
    }
    if (this.#isClosed()) return;
    this.#emitProgress();
    this.#disarmTimeout();
    if (again) {
      this.#setMode("between-cycles");
      const wait = Math.max(0, cycle.startedAt + (s.every ?? 0) - this.#host.clock.now());
      this.#cycleTimer = this.#host.clock.setTimeout(() => { this.#cycleTimer = undefined; void this.#nextCycle(); }, wait);
    } else {
      this.#setMode("closed");
      this.#listeners.clear();
    }
    this.#host.onCycleEnd(this.fence, !again);
  }

  /** B20: the next cycle of a recurring job, under a new serial number. */
  async #nextCycle(): Promise<void> {
    if (this.#mode === "closed" || this.#killed !== null) return;
    if (this.#mode === "between-cycles") this.#setMode("starting");
    this.#serialNum++;
    try {
      await this.#host.store.updateInstance(this.fence, { serialNum: this.#serialNum, startedAt: this.#host.clock.now() });
    } catch (e) {
      if (e instanceof FencedError) return this.#depose(e);
    }
    await this.start();
  }

  // ---- kill (B17) ----

  /** Fails the instance now: every unfinished task FAILED with the reason, no reduce (B17). */
  async #abort(reason: string): Promise<void> {
    if (this.#mode !== "starting" && this.#mode !== "running") return;
    const cycle = this.#cycle;
    this.#setMode("finishing");
    cycle.cancel(reason);
    failEverything(cycle, this.#killEnv(), reason);
    try {
      await cycle.writes.failUnfinished(reason);
    } catch (e) {
      if (e instanceof FencedError) return this.#depose(e);
    }
    await this.#finalize("FAILED", reason, true);
  }

  #killEnv() {
    const h = this.#host;
    return { instanceId: this.instanceId, store: h.store, transport: h.transport, requestTimeoutMs: h.requestTimeoutMs, address: h.address, credential: h.credential };
  }

  /** B17: kills the instance: running tasks aborted, unfinished ones FAILED, instance FAILED. */
  async kill(reason: string): Promise<void> {
    if (this.#status !== "RUNNING") return;
    this.#killed = reason;
    if (this.#mode === "between-cycles") {
      // Between cycles of a recurring job: nothing runs; just end it.
      this.#host.clock.clearTimeout(this.#cycleTimer!);
      this.#cycleTimer = undefined;
      this.#setMode("closed");
      this.#status = "FAILED";
      this.#result = `killed: ${reason}`;
      await this.#host.store.updateInstance(this.fence, { status: "FAILED", result: this.#result, finishedAt: this.#host.clock.now() });
      this.#host.onCycleEnd(this.fence, true);
      return;
    }
    await this.#abort(`killed: ${reason}`);
  }

  /** B17: kills one task: aborted on its worker (it reports FAILED), or failed at once if not dispatched. */
  async killTask(taskId: string, reason: string): Promise<boolean> {
    if (!takesWork(this.#mode)) return false;
    const killed = await killTask(this.#cycle, this.#killEnv(), taskId, reason);
    if (killed) this.#checkCompletion();
    return killed;
  }

  // ---- progress (B13) ----

  /** Store rows with the live state of the current cycle laid over them (B25); as they are when no cycle runs. */
  overlay(rows: readonly TaskRow[]): TaskRow[] {
    return hasLiveCycle(this.#mode) ? this.#cycle.overlay(rows) : [...rows];
  }

  /** Counters per task name and per worker, now. */
  progress(): InstanceProgress {
    const { names, workers } = this.#cycle.progress();
    return { instanceId: this.instanceId, status: this.#status, serialNum: this.#serialNum, result: this.#result, names, workers };
  }

  /** Calls `fn` with progress on the progress interval while the instance runs, and at the end. */
  watch(fn: ProgressListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Progress listeners subscribed now (H9: each event stream removes its own when its client leaves). */
  get watcherCount(): number {
    return this.#listeners.size;
  }

  #emitProgress(): void {
    if (this.#listeners.size === 0) return;
    const p = this.progress();
    for (const fn of this.#listeners) fn(p);
  }

  /** Refusals counted by the core (stale, duplicate, wrong attempt or worker). */
  refusals() {
    return this.#cycle.core.counters.refused();
  }
}
