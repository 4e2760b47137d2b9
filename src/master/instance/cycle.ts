import { MAX_TABLE_CAPACITY, ROUTE_ROUND_ROBIN, ROUTE_WORKER_LOAD } from "../../../core-as/shared/constants.ts";
import type { InstanceMetrics } from "../master-metrics.ts";
import { createCore, type Core } from "../../core/index.ts";
import type { InstanceSpec, JsonValue } from "../../protocol/messages.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { Fence, Progress, TaskRow } from "../../store/task-store.ts";
import { settingsRate, type ResolvedSettings } from "../settings.ts";
import type { WorkerInfo } from "../worker-registry.ts";
import { BatchSender } from "./batch-sender.ts";
import { allFinal, type RootOutcome } from "./completion.ts";
import { CycleTimers } from "./cycle-timers.ts";
import { DispatchQueue } from "./dispatch-queue.ts";
import type { InstanceHost } from "./host.ts";
import { MapIntake } from "./map-intake.ts";
import { cycleProgress } from "./progress.ts";
import { PullDispatch } from "./pull-dispatch.ts";
import { PushDispatch } from "./push-dispatch.ts";
import { StatusReports } from "./status-reports.ts";
import { FailureLog } from "./failure-log.ts";
import { failTasks } from "./fail-tasks.ts";
import { RunDeadlines } from "./run-deadlines.ts";
import { MAX_NAMES, ROOT, TaskNames } from "./task-names.ts";
import { TaskRetries } from "./task-retries.ts";
import { timedOutMessage } from "../../runtime/duration-text.ts";
import { TaskSlots } from "./task-slots.ts";
import { TaskWrites } from "./task-writes.ts";
import { WorkerLiveness } from "./worker-liveness.ts";
import { MAX_WORKERS, WorkerTable } from "./worker-table.ts";
import { WorkerWait } from "./worker-wait.ts";
import { Adoption } from "./adoption.ts";
import type { ResumePlan } from "./resume-plan.ts";

/** What a cycle needs of the instance it belongs to. */
export interface CycleOwner {
  /** The instance's processor name (a label of its metrics, A5). */
  readonly processor: string;
  readonly instanceId: string;
  readonly settings: ResolvedSettings;
  readonly host: InstanceHost;
  readonly fence: Fence;
  /** Whether this cycle is still the instance's current one. */
  isCurrent(cycle: Cycle): boolean;
  /** Whether the instance takes work now (it runs: not starting, finishing or closed). */
  running(): boolean;
  /** Whether the instance is closed (ended here, master closed, or deposed). */
  closed(): boolean;
  serialNum(): number;
  spec(): InstanceSpec;
  /** Fails the instance now (B17's path: unfinished tasks FAILED, no reduce). */
  failInstance(reason: string): void;
  /** B12: finishes the instance when every task is final. */
  checkCompletion(): void;
  /** Pushes progress to the instance's listeners (B13). */
  emitProgress(): void;
  /** A store write failed for good (or was fenced). */
  writeFailed(e: unknown): void;
  /** The cycle resumes an instance after a master restart or a takeover: it may adopt workers' tasks (B28). */
  readonly resumed?: boolean;
}

/**
 * One cycle of an instance (B20: a recurring job runs one per `every`), made
 * fresh for each: its WASM core, task slots and names, worker table,
 * dispatch queue, writes and timers, and the collaborators that work on
 * them — map intake, push or pull dispatch, status reports, worker liveness.
 * Nothing of a cycle outlives it, so a new one needs no reset.
 */
export class Cycle {
  readonly startedAt: number;
  readonly clock: Clock;
  readonly core: Core;
  readonly slots: TaskSlots;
  readonly names = new TaskNames();
  readonly workers: WorkerTable;
  readonly queue: DispatchQueue;
  readonly writes: TaskWrites;
  readonly timers: CycleTimers;
  /** Aborted when the cycle is cut short (kill, close): reduce and postProcess see it. */
  readonly abort = new AbortController();
  readonly intake: MapIntake;
  readonly sender: BatchSender;
  readonly push: PushDispatch;
  readonly pull: PullDispatch;
  readonly reports: StatusReports;
  readonly liveness: WorkerLiveness;
  readonly retries: TaskRetries;
  readonly deadlines: RunDeadlines;
  /** The tasks of this run that failed for good, as the instance record lists them (B25). */
  readonly failures = new FailureLog();
  readonly workerWait: WorkerWait;
  /** B28, B29: the tasks workers held across a master restart, kept for them. */
  readonly adoption: Adoption;
  /** How ROOT ended, once it has. */
  root: RootOutcome | null = null;
  /** A5: where the cycle's tasks are counted and timed. */
  readonly metrics: InstanceMetrics;
  /** The instance's processor name (a metrics label). */
  readonly processor: string;
  readonly #o: CycleOwner;
  #pumping = false;
  #pumpAgain = false;

  constructor(o: CycleOwner) {
    this.#o = o;
    const s = o.settings, host = o.host;
    this.metrics = host.metrics;
    this.processor = o.processor;
    this.clock = host.clock;
    this.startedAt = host.clock.now();
    this.core = createCore({
      queueCapacity: s.queueSize,
      // Live tasks: the queued ones plus as many again handed to workers.
      tableCapacity: Math.min(MAX_TABLE_CAPACITY, Math.max(1024, s.queueSize * 2)),
      maxNames: MAX_NAMES,
      maxWorkers: MAX_WORKERS,
    }, host.engine);
    this.slots = new TaskSlots(this.core.table.capacity);
    this.workers = new WorkerTable(this.core, s, () => host.currentWorker(host.ownWorker.workerId));
    this.queue = new DispatchQueue(this.core);
    this.writes = new TaskWrites(host.store, o.fence, (e) => o.writeFailed(e), (seconds) => host.metrics.storeWrite(seconds));
    this.timers = new CycleTimers(host.clock);
    const active = () => o.isCurrent(this) && o.running();
    const env = {
      core: this.core, slots: this.slots, names: this.names, workers: this.workers, queue: this.queue, writes: this.writes,
      failures: this.failures, timers: this.timers, clock: host.clock, transport: host.transport, address: host.address, credential: host.credential,
      requestTimeoutMs: host.requestTimeoutMs, settings: s, instanceId: o.instanceId, metrics: host.metrics, processor: o.processor,
      recordFirst: host.recordFirst ?? false, rides: host.rides ?? null,
      spec: () => o.spec(), failInstance: (reason: string) => o.failInstance(reason),
      pump: () => this.pump(), waitForToken: () => this.#waitForToken(),
    };
    this.workerWait = new WorkerWait({ ...env, stranded: () => this.workers.eligible() === 0 && this.queue.pending > 0 });
    this.sender = new BatchSender({ ...env, isCurrent: () => o.isCurrent(this), landed: () => { this.pump(); o.checkCompletion(); } });
    this.push = new PushDispatch({ ...env, sender: this.sender, workerWait: this.workerWait });
    this.pull = new PullDispatch({
      ...env, sender: this.sender, workerWait: this.workerWait, running: active, holdsOwnWorker: () => this.adoption.holdsOwnWorker(),
    });
    this.retries = new TaskRetries({ ...env, due: (h) => this.#due(h) });
    this.deadlines = new RunDeadlines({ ...env, expired: (h) => this.#timedOut(h) });
    this.intake = new MapIntake({
      ...env, loadProbe: host.loadProbe, active, gone: () => !o.isCurrent(this) || o.closed(), dispatchRoot: (h) => this.dispatchRoot(h),
      waitUntil: (h, at) => this.retries.wait(h, at),
      adopted: (seq) => this.adoption.adopted(seq),
      claimed: () => o.checkCompletion(),
    });
    this.reports = new StatusReports({
      ...env, retries: this.retries, deadlines: this.deadlines, serialNum: () => o.serialNum(),
      rootEnded: (status, result) => { this.root = { status, result }; },
      applied: () => { this.pump(); o.checkCompletion(); },
    });
    const present = host.workers();
    this.adoption = new Adoption({
      ...env, currentWorker: (id) => host.currentWorker(id),
      shutdown: (idx, reason) => this.liveness.shutdown(idx, reason),
      changed: () => {
        // B29: the wait for the workers ended; in pull mode, with none of them back, the own worker pulls again.
        if (s.dispatchMode === "pull") this.pull.workerLost();
        this.pump();
        o.checkCompletion();
      },
      rejoin: (w) => this.addWorker(w),
    }, o.resumed ?? false, present);
    this.liveness = new WorkerLiveness({
      ...env, currentWorker: (id) => host.currentWorker(id),
      awaited: (idx) => this.adoption.awaits(idx),
      declaredDead: (w) => host.declareDead(w),
      lost: (idx) => {
        this.sender.landAll(idx);
        if (s.dispatchMode === "pull") this.pull.workerLost();
        this.pump();
        o.checkCompletion();
      },
    });
    const mode = s.route === "worker-load" ? ROUTE_WORKER_LOAD : ROUTE_ROUND_ROBIN;
    this.core.router.configure({ mode, execOnMaster: s.execOnMaster, startIndex: 0 });
    this.core.limiter.configure(settingsRate(s), host.clock.now());
    for (const w of present) this.addWorker(w);
    if (s.randomStart && this.workers.size > 0) {
      this.core.router.configure({ mode, execOnMaster: s.execOnMaster, startIndex: Math.floor(Math.random() * this.workers.size) });
    }
  }

  /** The cycle runs: periodic checks armed, pull workers told, a first dispatch round. */
  begin(): void {
    const s = this.#o.settings, o = this.#o;
    this.timers.every(s.statusCheckMs, () => o.checkCompletion());
    this.timers.every(s.heartbeatMs, () => this.liveness.check());
    this.timers.every(s.progressMs, () => o.emitProgress());
    if (s.dispatchMode === "pull") {
      for (let idx = 0; idx < this.workers.size; idx++) this.pull.notify(idx);
    }
    this.pump();
  }

  /**
   * B28: takes a resume's kept tasks into the cycle (before it begins), then
   * the workers that registered while the store was read.
   */
  adopt(plan: ResumePlan): void {
    for (const w of this.adoption.keep(plan, this.startedAt)) this.addWorker(w);
  }

  /**
   * Adds a worker incarnation (a new one, or one that joined late); a running
   * cycle dispatches to it. One coming back after a master restart takes
   * over the tasks it still holds (B28).
   */
  addWorker(w: WorkerInfo): void {
    if (this.adoption.defers(w)) return;
    const idx = this.adoption.claim(w) ?? this.workers.add(w);
    if (idx < 0) return;
    const targeted = this.workers.targeted(w);
    if (targeted) this.workerWait.cancel();
    if (!this.#o.running()) return;
    if (this.#o.settings.dispatchMode === "pull" && targeted) this.pull.notify(idx);
    this.pump();
  }

  /**
   * B36: a worker registered before the resume hands over what it holds of
   * this instance (`w.held`): when the resume kept tasks for it, it joins now
   * and claims them, as a worker coming back after a restart does (B28).
   */
  adoptHeld(w: WorkerInfo): void {
    if (this.adoption.pending(w)) this.addWorker(w);
    else if (!this.adoption.deferring()) w.held?.delete(this.#o.instanceId);
  }

  /** A worker's incarnation is gone (registered again or declared dead): its tasks are failed over. */
  workerGone(w: WorkerInfo, reason: string): void {
    const idx = this.workers.indexOf(w.key);
    if (idx !== undefined) this.liveness.shutdown(idx, reason);
  }

  /** ROOT always runs on the master's own worker, push or pull (B1). */
  dispatchRoot(h: number): void {
    const own = this.workers.ownIndex();
    if (own === undefined) return this.#o.failInstance("the master's own worker is not registered");
    this.sender.send(own, Uint32Array.of(h), true);
  }

  /** Runs a dispatch round; rounds never overlap (a call during one runs another after it). */
  pump(): void {
    if (this.#pumping) { this.#pumpAgain = true; return; }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        if (!this.#o.running()) break;
        // B29: after a restart, sub-tasks wait for the workers coming back rather than all go to the master's own.
        if (this.adoption.holdsOwnWorker()) break;
        if (this.#o.settings.dispatchMode === "pull") this.pull.round();
        else this.push.round();
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
    this.intake.afterRound();
  }

  /** B21: a task's retry delay passed: ROOT goes to the master's own worker, others to the queue. */
  #due(h: number): void {
    if (this.core.table.nameOf(h) === ROOT) this.dispatchRoot(h);
    else {
      this.queue.requeue([h]);
      this.pump();
    }
  }

  /**
   * B22: a run outlived taskTimeout + livenessTimeoutMs after its RUNNING
   * report without its worker saying it ended: the worker is told to abort
   * it, and it fails as timed out — retried when it has runs left (B21).
   */
  #timedOut(h: number): void {
    const t = this.core.table, o = this.#o, host = o.host;
    const w = this.workers.at(t.workerOf(h));
    const taskId = this.slots.taskIdOf(h);
    const error = { message: timedOutMessage(o.settings.taskTimeout!) };
    host.transport.request(w.address, {
      type: "killTask", master: host.address, credential: host.credential, instanceId: o.instanceId, taskId, reason: error.message,
    }, { timeoutMs: host.requestTimeoutMs })
      .catch(() => undefined);
    if (this.retries.canRetry(h)) this.retries.retry(h, error);
    else failTasks(this, Uint32Array.of(h), error.message, error);
    this.pump();
    o.checkCompletion();
  }

  #waitForToken(): void {
    const clock = this.#o.host.clock;
    const at = this.core.limiter.nextAt(clock.now());
    this.timers.once("rate-limit", Math.max(1, Math.ceil(at - clock.now())), () => this.pump());
  }

  /** B12: every task final and nothing in flight. */
  allFinal(): boolean {
    return allFinal(this.core, this.names.list.length, this.intake.reserved);
  }

  /**
   * B25: store rows with this cycle's live state laid over them — status
   * (RUNNING lives in memory only), attempt and worker of the tasks in memory.
   */
  overlay(rows: readonly TaskRow[]): TaskRow[] {
    const t = this.core.table, bySeq = new Map<number, number>();
    for (const h of t.scan(-1)) bySeq.set(this.slots.seqOf(h), h);
    return rows.map((r) => {
      const h = bySeq.get(r.seq);
      if (h === undefined || this.slots.taskIdOf(h) !== r.taskId) return r;
      const idx = t.workerOf(h);
      return { ...r, status: t.status(h) as TaskRow["status"], attempt: t.attemptOf(h), worker: idx >= 0 ? this.workers.at(idx).key : null };
    });
  }

  /** Counters per task name and per worker now (B13). */
  progress(): Progress {
    return cycleProgress(this.core, this.names, this.workers);
  }

  /** The cycle takes no more work: timers stopped, maps waiting for room and pulls answered. */
  stop(): void {
    this.timers.stop();
    this.intake.releaseWaiters();
    this.pull.finish();
  }

  /** Cuts the cycle short (kill or close): what runs on the master's own worker sees the signal. */
  cancel(reason: JsonValue): void {
    this.abort.abort(reason);
  }
}
