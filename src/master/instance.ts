/**
 * MapTaskMaster: owns one instance — its tasks, dispatch, progress, failover,
 * completion and reduce (SPEC B1-B20). The hot path (queue, task table,
 * counters, routing, rate limit) runs in the WASM core in batches; this class
 * moves handles between the core, the store and the transport.
 */
import {
  INIT, PULLED, RUNNING, SUCCESS, FAILED, T_OK, NAME_FIELDS, N_TOTAL, N_INIT, N_PULLED, N_RUNNING,
  N_SUCCESS, N_FAILED, W_PULLED, W_RUNNING, WORKER_FIELDS, ROUTE_ROUND_ROBIN, ROUTE_WORKER_LOAD,
  MAX_TABLE_CAPACITY,
} from "../../core-as/shared/constants.ts";
import { createCore, type Core, type CoreEngine } from "../core/index.ts";
import type { Clock, TimerId } from "../runtime/clock.ts";
import type { LoadProbe } from "../runtime/load-probe.ts";
import type { InstanceSpec, JsonValue, MapBatch, Pull, TaskReport, TaskSpec } from "../protocol/messages.ts";
import { refuse, type MapReply, type PullReply, type Refusal } from "../protocol/replies.ts";
import { TransportError, type Transport } from "../protocol/transport.ts";
import type { Fence, InstanceRecord, NewTask, Progress, StatusUpdate, TaskRow, TaskStore, TaskStatusCode } from "../store/task-store.ts";
import { FencedError } from "../store/errors.ts";
import type { Worker } from "../worker/worker.ts";
import { isMapReduce } from "../processor/define.ts";
import type { Processor } from "../processor/types.ts";
import { settingsRate, type ResolvedSettings } from "./settings.ts";
import type { WorkerInfo } from "./worker-registry.ts";
import { TaskSlots } from "./task-slots.ts";
import { WriteChain } from "./write-chain.ts";
import { Deque } from "../runtime/deque.ts";

/** What an instance needs from the master hosting it. */
export interface InstanceHost {
  readonly store: TaskStore;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly loadProbe: LoadProbe;
  /** The master's address, where workers send reports and maps. */
  readonly address: string;
  /** The master's own in-process worker: runs ROOT, reduce and postProcess. */
  readonly ownWorker: Worker;
  readonly requestTimeoutMs: number;
  readonly engine: CoreEngine;
  /** Current worker incarnations. */
  workers(): WorkerInfo[];
  /** The current incarnation of a worker id. */
  currentWorker(workerId: string): WorkerInfo | undefined;
  /** Called once the instance is final (and after each cycle of a recurring job). */
  onCycleEnd(instance: MapTaskMaster): void;
  /** Called when the store refused this master's fencing token: another master owns the instance now. */
  onDeposed(instance: MapTaskMaster, reason: string): void;
}

/** Names every instance has: ROOT is index 0, REDUCE index 1. */
const ROOT = 0, REDUCE = 1;
const MAX_NAMES = 256, MAX_WORKERS = 1024;
/** Queue fill ratio at which map tells processors to slow down (B2). */
const SLOW_DOWN_FILL = 0.8;
/** Store writes in flight past which map batches are refused as busy. */
const MAX_PENDING_WRITES = 256;
/** Free CPU or memory below which map tells processors to slow down (B2). */
const SLOW_DOWN_LOAD = 0.1;

/** A progress listener. */
export type ProgressListener = (p: InstanceProgress) => void;

/** Progress of a running or finished instance (B13). */
export interface InstanceProgress extends Progress {
  instanceId: string;
  status: InstanceRecord["status"];
  serialNum: number;
  result: JsonValue;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const utf8 = new TextEncoder();

/**
 * The UTF-8 size of `v` as JSON when it is over `limit` bytes, else 0. Cheap for what is
 * surely under: numbers, booleans and null at once, and text of at most limit/3 UTF-16
 * units without encoding it (a unit takes at most 3 bytes).
 */
function bytesOver(v: JsonValue, limit: number): number {
  if (v === null || typeof v === "number" || typeof v === "boolean") return 0;
  const text = typeof v === "string" && v.length * 3 + 2 <= limit ? null : JSON.stringify(v);
  if (text === null || text.length * 3 <= limit) return 0;
  const bytes = utf8.encode(text).length;
  return bytes > limit ? bytes : 0;
}

/** One instance's master. */
export class MapTaskMaster {
  readonly instanceId: string;
  readonly settings: ResolvedSettings;
  readonly processorName: string;
  readonly #processor: Processor;
  readonly #params: JsonValue;
  readonly #host: InstanceHost;
  #fence: Fence;
  #serialNum: number;
  #status: InstanceRecord["status"] = "RUNNING";
  #result: JsonValue = null;
  #cycles = 0;

  // ---- per cycle ----
  #core!: Core;
  #slots!: TaskSlots;
  #names = new Map<string, number>();
  #nameList: string[] = [];
  /** Worker key → index in this cycle's worker table. */
  #workerIdx = new Map<string, number>();
  #workerAt: WorkerInfo[] = [];
  #missing = new Map<number, number>();
  #traceIds = new Map<number, string>();
  /** Handles sent back by failover, dispatched before the queue. */
  #retry = new Deque<number>();
  /** Push batches awaiting their worker's acknowledgement. */
  #flights = new Set<{ idx: number; open: boolean }>();
  /** Routed batches waiting for a free dispatcher (at most one round's worth). */
  #sends: Array<[number, Uint32Array]> = [];
  #nextSeq = 0;
  /** Table and queue room promised to map batches whose insert is in flight. */
  #reserved = 0;
  /** INIT rows in the store that are not in memory (claimInit hands them out). */
  #backlog = false;
  #feeding = false;
  #inFlight = 0;
  #pumping = false;
  #pumpAgain = false;
  #finishing = false;
  #killed: string | null = null;
  #rootResult: { status: number; result: JsonValue } | null = null;
  #writes!: WriteChain;
  #abort = new AbortController();
  #mapWaiters: Array<() => void> = [];
  /** Parent handle → its map calls waiting for queue room (B2). */
  #mapping = new Map<number, number>();
  #pulls: Array<{ idx: number; max: number; resolve: (r: PullReply | Refusal) => void; timer: TimerId }> = [];
  #timers = new Set<TimerId>();
  #limiterTimer: TimerId | undefined;
  #workerWaitTimer: TimerId | undefined;
  #listeners = new Set<ProgressListener>();
  #cycleStart = 0;
  #cycleTimer: TimerId | undefined;
  #closed = false;

  constructor(host: InstanceHost, record: InstanceRecord, settings: ResolvedSettings, processor: Processor, fence: Fence) {
    this.#host = host;
    this.instanceId = record.instanceId;
    this.processorName = record.processor;
    this.#processor = processor;
    this.#params = record.params;
    this.settings = settings;
    this.#fence = fence;
    this.#serialNum = record.serialNum;
  }

  /** RUNNING until the last cycle ends. */
  get status(): InstanceRecord["status"] { return this.#status; }
  /** The current cycle. */
  get serialNum(): number { return this.#serialNum; }
  /** The instance's result so far. */
  get result(): JsonValue { return this.#result; }
  /** The ownership this master writes with (its lease is renewed under it). */
  get fence(): Fence { return this.#fence; }

  // =====================================================================
  // Lifecycle
  // =====================================================================

  /** Starts the first cycle of a new instance: store and run ROOT (B1). */
  async start(): Promise<void> {
    this.#newCycle();
    const task: NewTask = { seq: 0, taskId: "r", parentId: null, name: "ROOT", body: this.#params, queued: true };
    this.#nextSeq = 1;
    try {
      await this.#writes.run(() => this.#host.store.insertTasks(this.#fence, [task]));
    } catch (e) {
      return this.#failStart(e);
    }
    this.#core.counters.add(Int32Array.of(ROOT), Int32Array.of(1));
    const h = new Uint32Array(1);
    this.#core.table.admit(Int32Array.of(ROOT), Int32Array.of(0), 1, h);
    this.#slots.set(h[0]!, 0, "r", this.#params);
    this.#dispatchRoot(h[0]!);
    this.#afterStart();
  }

  /**
   * Resumes an instance after a master restart (X3): unfinished tasks of the
   * old master's workers are failed over, counters rebuilt from the store,
   * and INIT tasks claimed back page by page.
   */
  async resume(): Promise<void> {
    this.#newCycle();
    // One cycle per serial number: maxCycles counts the cycles run before the restart or takeover too.
    this.#cycles = this.#serialNum;
    const store = this.#host.store;
    try {
      await this.#writes.run(() => store.resetForResume(this.#fence, this.settings.failover, "worker lost: master restarted"));
      const counts = await store.countByStatus(this.instanceId);
      // A recurring job between two cycles (the last one's tasks are cleared): its next cycle starts now.
      if (counts.length === 0 && this.settings.every !== null) return this.#nextCycle();
      this.#nextSeq = (await store.maxSeq(this.instanceId)) + 1;
      const totals = new Map<number, number>();
      for (const c of counts) {
        const idx = this.#nameIndex(c.name);
        if (idx < 0) throw new Error(`too many task names (limit ${MAX_NAMES}) in instance ${this.instanceId}`);
        totals.set(idx, (totals.get(idx) ?? 0) + c.count);
      }
      this.#core.counters.add(Int32Array.from(totals.keys()), Int32Array.from(totals.values()));
      for (const c of counts) {
        if (c.status === SUCCESS || c.status === FAILED) this.#core.counters.move(this.#names.get(c.name)!, INIT, c.status, c.count);
        else if (c.status !== INIT) throw new Error(`task in status ${c.status} after resume reset`);
      }
      if (counts.length === 0) throw new Error("no tasks stored for a running instance");
    } catch (e) {
      return this.#failStart(e);
    }
    this.#backlog = true;
    this.#afterStart();
    void this.#feed();
  }

  #failStart(e: unknown): void {
    if (e instanceof FencedError) return this.#depose(e);
    // A recurring job ends here too: another cycle would fail alike, and the store must say FAILED as memory does.
    this.#killed ??= `failed to start: ${message(e)}`;
    this.#status = "FAILED";
    this.#result = `failed to start: ${message(e)}`;
    void this.#finalize("FAILED", this.#result, false);
  }

  /** Fresh core, counters, queue and timers for a cycle (B20). */
  #newCycle(): void {
    const s = this.settings;
    this.#cycles++;
    this.#cycleStart = this.#host.clock.now();
    this.#core = createCore({
      queueCapacity: s.queueSize,
      // Live tasks: the queued ones plus as many again handed to workers.
      tableCapacity: Math.min(MAX_TABLE_CAPACITY, Math.max(1024, s.queueSize * 2)),
      maxNames: MAX_NAMES,
      maxWorkers: MAX_WORKERS,
    }, this.#host.engine);
    this.#slots = new TaskSlots(this.#core.table.capacity);
    this.#names = new Map([["ROOT", ROOT], ["REDUCE", REDUCE]]);
    this.#nameList = ["ROOT", "REDUCE"];
    this.#workerIdx = new Map();
    this.#workerAt = [];
    this.#missing = new Map();
    this.#traceIds = new Map();
    this.#retry.clear();
    this.#sends = [];
    this.#flights = new Set();
    this.#reserved = 0;
    this.#backlog = false;
    this.#inFlight = 0;
    this.#finishing = false;
    this.#rootResult = null;
    this.#abort = new AbortController();
    this.#writes = new WriteChain((e) => this.#onWriteFailure(e));
    const mode = s.route === "worker-load" ? ROUTE_WORKER_LOAD : ROUTE_ROUND_ROBIN;
    this.#core.router.configure({ mode, execOnMaster: s.execOnMaster, startIndex: 0 });
    this.#core.limiter.configure(settingsRate(s), this.#host.clock.now());
    for (const w of this.#host.workers()) this.addWorker(w);
    if (s.randomStart && this.#workerAt.length > 0) {
      this.#core.router.configure({ mode, execOnMaster: s.execOnMaster, startIndex: Math.floor(Math.random() * this.#workerAt.length) });
    }
  }

  #afterStart(): void {
    const s = this.settings;
    this.#every(s.statusCheckMs, () => this.#checkCompletion());
    this.#every(s.heartbeatMs, () => this.#checkLiveness());
    this.#every(s.progressMs, () => this.#emitProgress());
    if (s.dispatchMode === "pull") {
      for (const idx of this.#workerAt.keys()) this.#notifyPull(idx);
    }
    this.#pump();
  }

  #every(ms: number, fn: () => void): void {
    const tick = () => {
      this.#timers.delete(id);
      if (this.#closed || this.#finishing) return;
      fn();
      id = this.#host.clock.setTimeout(tick, ms);
      this.#timers.add(id);
    };
    let id = this.#host.clock.setTimeout(tick, ms);
    this.#timers.add(id);
  }

  #stopTimers(): void {
    for (const t of this.#timers) this.#host.clock.clearTimeout(t);
    this.#timers.clear();
    if (this.#limiterTimer !== undefined) this.#host.clock.clearTimeout(this.#limiterTimer);
    if (this.#workerWaitTimer !== undefined) this.#host.clock.clearTimeout(this.#workerWaitTimer);
    this.#limiterTimer = this.#workerWaitTimer = undefined;
  }

  /** Stops everything without writing (the master is closing or was deposed). */
  close(): void {
    this.#closed = true;
    this.#stopTimers();
    if (this.#cycleTimer !== undefined) this.#host.clock.clearTimeout(this.#cycleTimer);
    this.#abort.abort("master closed");
    this.#releaseWaiters();
  }

  #depose(e: FencedError): void {
    if (this.#closed) return;
    this.close();
    this.#host.onDeposed(this, e.message);
  }

  #onWriteFailure(e: unknown): void {
    if (e instanceof FencedError) return this.#depose(e);
    if (this.#finishing || this.#closed) return;
    // B11: a write that failed three times fails the instance.
    void this.#abortInstance(`persistence failed: ${message(e)}`);
  }

  #spec(): InstanceSpec {
    return {
      instanceId: this.instanceId, serialNum: this.#serialNum, processor: this.processorName, params: this.#params,
      consumerSize: this.settings.consumerSize, fence: this.#fence.token,
    };
  }

  // =====================================================================
  // Workers
  // =====================================================================

  /** Adds a worker incarnation to this cycle's worker table (a new one, or one that joined late). */
  addWorker(w: WorkerInfo): void {
    if (this.#closed || this.#workerIdx.has(w.key)) return;
    const idx = this.#workerAt.length;
    if (idx >= MAX_WORKERS) return;
    // Outside targetWorkers a worker takes no sub-task; the master's own worker still gets ROOT and REDUCE,
    // which are assigned to it directly, not routed.
    const targeted = this.settings.targetWorkers === null || this.settings.targetWorkers.includes(w.workerId);
    this.#workerIdx.set(w.key, idx);
    this.#workerAt.push(w);
    this.#core.router.setWorker(idx, {
      alive: w.isMaster, invalid: !targeted, isMaster: w.isMaster,
      freeSlots: this.settings.consumerSize, cpuFree: w.load.cpuFree ?? 1, memFree: w.load.memFree ?? 1, latencyMs: 0,
    });
    this.#core.router.workerCount = idx + 1;
    if (targeted && this.#workerWaitTimer !== undefined) {
      this.#host.clock.clearTimeout(this.#workerWaitTimer);
      this.#workerWaitTimer = undefined;
    }
    if (!this.#closed && this.#status === "RUNNING" && this.#timers.size > 0) {
      if (this.settings.dispatchMode === "pull" && targeted) this.#notifyPull(idx);
      this.#pump();
    }
  }

  /** A worker's incarnation is gone (re-registered or declared dead): fail over its tasks. */
  workerGone(w: WorkerInfo, reason: string): void {
    const idx = this.#workerIdx.get(w.key);
    if (idx !== undefined) this.#shutdownWorker(idx, reason);
  }

  /** Heartbeat from a worker: load, liveness, and the instances it still runs (B14). */
  onHeartbeat(w: WorkerInfo, instances: readonly string[]): void {
    const idx = this.#workerIdx.get(w.key);
    if (idx === undefined || this.#finishing) return;
    this.#updateLoad(idx, w);
    if (instances.includes(this.instanceId) || this.#held(idx) === 0 || !this.#core.router.alive[idx]) {
      this.#missing.delete(idx);
      return;
    }
    // Absent from two heartbeats in a row while it holds our tasks: it no longer runs us.
    const n = (this.#missing.get(idx) ?? 0) + 1;
    this.#missing.set(idx, n);
    if (n >= 2) {
      this.#shutdownWorker(idx, `worker ${w.workerId} no longer runs this instance`);
      this.#destroyPoolOn(w);
    }
  }

  #updateLoad(idx: number, w: WorkerInfo): void {
    const r = this.#core.router;
    r.cpuFree[idx] = w.load.cpuFree ?? 1;
    r.memFree[idx] = w.load.memFree ?? 1;
  }

  /** Tasks handed to worker `idx` and not finished. */
  #held(idx: number): number {
    const v = this.#core.counters.workerView, b = idx * WORKER_FIELDS;
    return v[b + W_PULLED]! + v[b + W_RUNNING]!;
  }

  #checkLiveness(): void {
    const now = this.#host.clock.now();
    const r = this.#core.router;
    for (let idx = 0; idx < this.#workerAt.length; idx++) {
      const w = this.#workerAt[idx]!;
      // A worker made invalid by a failed send may still hold tasks from earlier batches: it is
      // checked until those are failed over, else they would wait for it forever.
      const holds = this.#held(idx) > 0;
      if ((r.invalid[idx] && !holds) || w.isMaster) continue;
      const current = this.#host.currentWorker(w.workerId);
      if (current !== w) {
        this.#shutdownWorker(idx, `worker ${w.workerId} re-registered or left`);
      } else if ((r.alive[idx] || holds) && now - w.lastSeen > this.settings.livenessTimeoutMs) {
        this.#shutdownWorker(idx, `worker ${w.workerId} missed the liveness timeout (${this.settings.livenessTimeoutMs} ms)`);
      }
    }
  }

  /** B15: invalid, out of the alive set, its unfinished tasks failed over or failed. */
  #shutdownWorker(idx: number, reason: string): void {
    const r = this.#core.router;
    if (r.invalid[idx] && this.#held(idx) === 0) return;
    r.invalid[idx] = 1;
    r.alive[idx] = 0;
    // Batches still waiting on a dead worker's answer would hold their dispatchers until the
    // request times out: free them now (their tasks are failed over just below).
    for (const f of [...this.#flights]) if (f.idx === idx) this.#land(f);
    const w = this.#workerAt[idx]!;
    const handles = this.#core.table.scan(idx);
    if (handles.length > 0) {
      if (this.settings.failover) {
        this.#core.table.requeue(handles, handles.length);
        this.#writes.fire(() => this.#host.store.resetWorkerTasks(this.#fence, w.key, { status: INIT, queued: true }));
        this.#retry.pushAll(handles);
      } else {
        for (const h of handles) this.#slots.release(h);
        this.#core.table.fail(handles, handles.length);
        this.#writes.fire(() => this.#host.store.resetWorkerTasks(this.#fence, w.key, { status: FAILED, result: reason }));
      }
    }
    this.#pullWorkerLost();
    this.#pump();
    this.#checkCompletion();
  }

  #destroyPoolOn(w: WorkerInfo): void {
    this.#host.transport.request(w.address, { type: "destroyPool", instanceId: this.instanceId }, { timeoutMs: this.#host.requestTimeoutMs })
      .catch(() => undefined);
  }

  // =====================================================================
  // Map (B2)
  // =====================================================================

  /** Stores a batch of children of a running task; resolves once they are durable. */
  async map(w: WorkerInfo, m: MapBatch): Promise<MapReply> {
    if (m.serialNum !== this.#serialNum) return refuse("rejected", `stale serialNum ${m.serialNum}, current ${this.#serialNum}`, "serialNum");
    if (this.#finishing || this.#closed) return refuse("rejected", "instance is finishing", "instanceId");
    const t = this.#core.table;
    const idx = this.#workerIdx.get(w.key);
    const st = t.status(m.parentHandle);
    if ((st !== PULLED && st !== RUNNING) || t.attemptOf(m.parentHandle) !== m.parentAttempt || t.workerOf(m.parentHandle) !== idx
      || this.#slots.taskIdOf(m.parentHandle) !== m.parentTaskId) {
      return refuse("rejected", `task ${m.parentTaskId} (attempt ${m.parentAttempt}) is not running on ${w.workerId}`, "parentTaskId");
    }
    for (let i = 0; i < m.bodies.length; i++) {
      const bytes = bytesOver(m.bodies[i]!, this.settings.maxBodyBytes);
      if (bytes > 0) {
        return refuse("too_large", `bodies.${i}: ${bytes} bytes, limit ${this.settings.maxBodyBytes}`, `bodies.${i}`);
      }
    }
    // A master whose store cannot keep up asks the worker to come back later (429 + Retry-After).
    if (this.#writes.pending > MAX_PENDING_WRITES) return { ...refuse("busy", `store writes are behind (${this.#writes.pending} pending)`), retryAfterMs: 200 };
    const nameIdx = this.#nameIndex(m.taskName);
    if (nameIdx < 0) return refuse("bad_request", `taskName: Expected at most ${MAX_NAMES - 2} task names, got one more: ${JSON.stringify(m.taskName)}`, "taskName");
    const n = m.bodies.length;
    if (n === 0) return { ok: true, stored: 0, slowDown: this.#slowDown() };

    // Promise room synchronously so concurrent batches cannot overbook it.
    const room = Math.max(0, Math.min(t.free, this.#core.queue.free) - this.#reserved);
    const inMemory = Math.min(n, room);
    this.#reserved += inMemory;
    const base = this.#nextSeq;
    this.#nextSeq += n;
    const tasks: NewTask[] = new Array(n);
    const prefix = `${m.parentTaskId}.${m.mapCall}.`;
    for (let i = 0; i < n; i++) {
      tasks[i] = { seq: base + i, taskId: prefix + i, parentId: m.parentTaskId, name: m.taskName, body: m.bodies[i]!, queued: i < inMemory };
    }
    let mask: Uint8Array;
    try {
      mask = await this.#writes.run(() => this.#host.store.insertTasks(this.#fence, tasks));
    } catch (e) {
      this.#reserved -= inMemory;
      return refuse("busy", `could not store the batch: ${message(e)}`);
    }
    this.#reserved -= inMemory;
    if (this.#closed) return refuse("rejected", "instance is no longer owned by this master");
    let stored = 0, admitted = 0;
    const handles = new Uint32Array(inMemory);
    const names = new Int32Array(inMemory).fill(nameIdx);
    for (let i = 0; i < n; i++) if (mask[i]) stored++;
    this.#core.counters.add(Int32Array.of(nameIdx), Int32Array.of(stored));
    // Admit the newly stored rows that were promised memory.
    const fresh: number[] = [];
    for (let i = 0; i < inMemory; i++) if (mask[i]) fresh.push(i);
    if (fresh.length > 0) {
      admitted = t.admit(names, new Int32Array(fresh.length), fresh.length, handles);
      for (let k = 0; k < admitted; k++) {
        const i = fresh[k]!;
        this.#slots.set(handles[k]!, tasks[i]!.seq, tasks[i]!.taskId, tasks[i]!.body);
      }
      this.#core.queue.pushBatch(handles, admitted);
    }
    if (stored - admitted > 0 && inMemory < n) this.#backlog = true;
    this.#pump();
    if (this.#backlog) void this.#feed();
    // B2: a full queue makes map wait (the batch is already durable), while room can come.
    const parent = m.parentHandle;
    this.#mapping.set(parent, (this.#mapping.get(parent) ?? 0) + 1);
    try {
      while (this.#core.queue.free === 0 && !this.#onlyMappersHold() && !this.#finishing && !this.#closed) {
        await new Promise<void>((r) => this.#mapWaiters.push(r));
      }
    } finally {
      const left = this.#mapping.get(parent)! - 1;
      if (left === 0) this.#mapping.delete(parent);
      else this.#mapping.set(parent, left);
    }
    return { ok: true, stored, slowDown: this.#slowDown() };
  }

  /**
   * True when every task out on a worker is a parent waiting in map for queue
   * room. Then no slot can free (pull mode pulls only into free slots, up to
   * globalConsumerSize), the queue never drains, and waiting would never end.
   */
  #onlyMappersHold(): boolean {
    const t = this.#core.table;
    let waiting = 0;
    for (const h of this.#mapping.keys()) {
      const st = t.status(h);
      if (st === PULLED || st === RUNNING) waiting++;
    }
    return waiting >= this.#sumNames(N_PULLED) + this.#sumNames(N_RUNNING);
  }

  #slowDown(): boolean {
    const q = this.#core.queue;
    if (q.size >= q.capacity * SLOW_DOWN_FILL) return true;
    const l = this.#host.loadProbe.sample();
    return (l.cpuFree !== null && l.cpuFree < SLOW_DOWN_LOAD) || (l.memFree !== null && l.memFree < SLOW_DOWN_LOAD);
  }

  #nameIndex(name: string): number {
    let idx = this.#names.get(name);
    if (idx === undefined) {
      if (this.#nameList.length >= MAX_NAMES) return -1;
      idx = this.#nameList.length;
      this.#names.set(name, idx);
      this.#nameList.push(name);
    }
    return idx;
  }

  #releaseWaiters(): void {
    const w = this.#mapWaiters;
    this.#mapWaiters = [];
    for (const r of w) r();
  }

  /** B10: claims INIT rows back from the store, page by page, while memory has room. */
  async #feed(): Promise<void> {
    if (this.#feeding) return;
    this.#feeding = true;
    try {
      while (this.#backlog && !this.#finishing && !this.#closed) {
        const room = Math.min(this.#core.table.free, this.#core.queue.free) - this.#reserved;
        if (room < Math.min(this.settings.pageSize, this.#core.queue.capacity)) break;
        const want = Math.min(room, 1000);
        this.#reserved += want;
        let rows: TaskRow[];
        try {
          rows = await this.#writes.run(() => this.#host.store.claimInit(this.#fence, want));
        } finally {
          this.#reserved -= want;
        }
        if (rows.length < want) this.#backlog = false;
        this.#admitRows(rows);
      }
    } catch {
      // The write chain already failed the instance (or it was deposed).
    } finally {
      this.#feeding = false;
    }
  }

  #admitRows(rows: readonly TaskRow[]): void {
    if (rows.length === 0) return;
    const names = new Int32Array(rows.length), attempts = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      names[i] = this.#nameIndex(rows[i]!.name);
      attempts[i] = rows[i]!.attempt;
    }
    const handles = new Uint32Array(rows.length);
    const k = this.#core.table.admit(names, attempts, rows.length, handles);
    for (let i = 0; i < k; i++) {
      const row = rows[i]!;
      this.#slots.set(handles[i]!, row.seq, row.taskId, row.body);
      if (names[i] === ROOT) this.#dispatchRoot(handles[i]!);
      else this.#core.queue.pushBatch(handles.subarray(i, i + 1));
    }
    this.#pump();
  }

  // =====================================================================
  // Dispatch (B3-B9)
  // =====================================================================

  /** ROOT always runs on the master's own worker, push or pull (B1). */
  #dispatchRoot(h: number): void {
    const own = this.#workerIdx.get(this.#ownKey());
    if (own === undefined) {
      void this.#abortInstance("the master's own worker is not registered");
      return;
    }
    this.#send(own, Uint32Array.of(h), true);
  }

  #ownKey(): string {
    const w = this.#host.currentWorker(this.#host.ownWorker.workerId);
    return w ? w.key : "";
  }

  /** Schedules a dispatch round; rounds never overlap. */
  #pump(): void {
    if (this.#pumping) { this.#pumpAgain = true; return; }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        if (this.settings.dispatchMode === "pull") this.#servePulls();
        else this.#pushRound();
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
    if (this.#mapWaiters.length > 0 && (this.#core.queue.free > 0 || this.#onlyMappersHold())) this.#releaseWaiters();
    if (this.#backlog) void this.#feed();
  }

  /** Eligible workers for sub-tasks now (B5 rules, B15 shrinking batch size). */
  #eligibleWorkers(): number {
    const r = this.#core.router, n = this.#workerAt.length;
    let valid = 0, master = 0;
    for (let i = 0; i < n; i++) {
      if (r.invalid[i]) continue;
      valid++;
      if (r.isMaster[i]) master++;
    }
    return !this.settings.execOnMaster && valid > 1 ? valid - master : valid;
  }

  /** Takes up to `n` dispatchable handles: failed-over ones first, then the queue. Skips killed ones. */
  #takeHandles(n: number): Uint32Array {
    const out = new Uint32Array(n);
    let k = 0;
    const t = this.#core.table;
    while (k < n && this.#retry.size > 0) {
      const h = this.#retry.shift()!;
      if (t.status(h) === INIT) out[k++] = h;
    }
    while (k < n && this.#core.queue.size > 0) {
      const got = this.#core.queue.popBatch(out.subarray(k), n - k);
      let w = k;
      for (let i = k; i < k + got; i++) if (t.status(out[i]!) === INIT) out[w++] = out[i]!;
      k = w;
    }
    return out.subarray(0, k);
  }

  /** Puts handles back at the front (they could not be routed now). */
  #untake(handles: Uint32Array): void {
    this.#retry.unshiftAll(handles);
  }

  #pending(): number {
    return this.#retry.size + this.#core.queue.size;
  }

  #pushRound(): void {
    const s = this.settings;
    if (this.#finishing || this.#closed || this.#status !== "RUNNING") return;
    this.#flushSends();
    // A new round only once the last one is on its way: batches wait for a dispatcher, not the router.
    while (this.#sends.length === 0 && this.#inFlight < s.dispatchers && this.#pending() > 0) {
      const eligible = this.#eligibleWorkers();
      if (eligible === 0) { this.#waitForWorkers(); return; }
      const want = Math.min(this.#pending(), s.pageSize * eligible);
      const granted = this.#core.limiter.take(this.#host.clock.now(), want);
      if (granted === 0) { this.#waitForToken(); return; }
      const handles = this.#takeHandles(granted);
      if (handles.length === 0) continue;
      const routed = this.#route(handles);
      if (routed === 0) return; // worker-load: no free slot; a report or heartbeat pumps again
      this.#flushSends();
    }
  }

  /** Sends routed batches while fewer than `dispatchers` are in flight (B3). */
  #flushSends(): void {
    while (this.#sends.length > 0 && this.#inFlight < this.settings.dispatchers) {
      const [idx, handles] = this.#sends.shift()!;
      // The worker may have died since routing: its batch goes back to be routed again.
      if (this.#core.router.invalid[idx]) this.#untake(handles);
      else this.#send(idx, handles, false);
    }
  }

  /**
   * Routes handles (re-dispatched ones restricted per B6), groups them by
   * worker and sends one batch per worker. Returns how many were routed.
   */
  #route(handles: Uint32Array): number {
    const t = this.#core.table;
    const fresh: number[] = [], again: number[] = [];
    for (const h of handles) (t.attemptOf(h) > 0 ? again : fresh).push(h);
    if (this.settings.route === "worker-load") this.#refreshSlots();
    let routed = 0;
    const groups = new Map<number, number[]>();
    const unrouted: number[] = [];
    for (const [list, redispatch] of [[fresh, false], [again, true]] as const) {
      if (list.length === 0) continue;
      const out = new Int32Array(list.length);
      const k = this.#core.router.route(list.length, out, redispatch);
      for (let i = 0; i < k; i++) {
        const g = groups.get(out[i]!) ?? [];
        g.push(list[i]!);
        groups.set(out[i]!, g);
      }
      for (let i = k; i < list.length; i++) unrouted.push(list[i]!);
      routed += k;
    }
    // One batch per worker; they leave as dispatchers free up (#flushSends).
    for (const [idx, g] of groups) this.#sends.push([idx, Uint32Array.from(g)]);
    this.#untake(Uint32Array.from(unrouted));
    if (routed === 0 && this.settings.route !== "worker-load") this.#waitForWorkers();
    return routed;
  }

  /** Worker-load: free slots = consumerSize − tasks held, from the counters. */
  #refreshSlots(): void {
    const r = this.#core.router;
    for (let i = 0; i < this.#workerAt.length; i++) r.freeSlots[i] = Math.max(0, this.settings.consumerSize - this.#held(i));
  }

  #waitForToken(): void {
    if (this.#limiterTimer !== undefined) return;
    const clock = this.#host.clock;
    const at = this.#core.limiter.nextAt(clock.now());
    this.#limiterTimer = clock.setTimeout(() => { this.#limiterTimer = undefined; this.#pump(); }, Math.max(1, Math.ceil(at - clock.now())));
  }

  /** B5: no valid worker for `workerWaitMs` → FAILED "all workers are down". */
  #waitForWorkers(): void {
    if (this.#workerWaitTimer !== undefined) return;
    this.#workerWaitTimer = this.#host.clock.setTimeout(() => {
      this.#workerWaitTimer = undefined;
      if (this.#eligibleWorkers() === 0 && this.#pending() > 0) void this.#abortInstance("all workers are down");
      else this.#pump();
    }, this.settings.workerWaitMs);
  }

  /** Marks handles PULLED on worker `idx` (store and counters, B3) and sends them. */
  #send(idx: number, handles: Uint32Array, isRoot: boolean): void {
    const t = this.#core.table;
    const workers = new Int32Array(handles.length).fill(idx);
    const codes = new Int32Array(handles.length);
    t.assign(handles, workers, handles.length, codes);
    const ok: number[] = [];
    for (let i = 0; i < handles.length; i++) if (codes[i] === T_OK) ok.push(handles[i]!);
    if (ok.length === 0) return;
    const w = this.#workerAt[idx]!;
    const seqs = ok.map((h) => this.#slots.seqOf(h));
    this.#writes.fire(() => this.#host.store.setStatus(this.#fence, seqs, PULLED, w.key));
    const tasks: TaskSpec[] = ok.map((h) => ({
      handle: h, taskId: this.#slots.taskIdOf(h), name: this.#nameList[t.nameOf(h)]!, body: this.#slots.bodyOf(h), attempt: t.attemptOf(h),
    }));
    if (this.settings.dispatchMode === "pull" && !isRoot) return; // pull: the reply carries them
    const sentAt = this.#host.clock.now();
    this.#inFlight++;
    const flight = { idx, open: true };
    // A late failure concerns only the batch's tasks still on this worker at the attempt sent:
    // liveness may have failed them over meanwhile, and they may run elsewhere now.
    const attempts = tasks.map((x) => x.attempt);
    const stillHere = () => Uint32Array.from(ok.filter((h, i) => t.workerOf(h) === idx && t.attemptOf(h) === attempts[i]));
    this.#flights.add(flight);
    const serialNum = this.#serialNum;
    this.#host.transport.request(w.address, {
      type: "start", master: this.#host.address, instance: this.#spec(), worker: { workerId: w.workerId, incarnation: w.incarnation }, tasks,
    }, { timeoutMs: this.#host.requestTimeoutMs }).then((reply) => {
      if (serialNum !== this.#serialNum) return;
      if (reply.ok) {
        const r = this.#core.router;
        r.alive[idx] = 1;
        r.latencyMs[idx] = this.#host.clock.now() - sentAt;
      } else if (reply.code === "not_running" || reply.code === "unregistered") {
        this.#dispatchFailed(idx, stillHere(), `worker ${w.workerId} is not running: ${reply.error}`, isRoot);
      } else {
        this.#dispatchRejected(idx, stillHere(), `worker ${w.workerId} rejected the batch: ${reply.error}`, isRoot);
      }
    }, (e: unknown) => {
      if (serialNum !== this.#serialNum) return;
      const why = e instanceof TransportError ? e.message : message(e);
      this.#dispatchFailed(idx, stillHere(), `dispatch to ${w.workerId} failed: ${why}`, isRoot);
    }).finally(() => {
      if (serialNum !== this.#serialNum) return;
      this.#land(flight);
      this.#pump();
      this.#checkCompletion();
    });
  }

  /** A batch's dispatcher is free again (its reply came, or its worker was declared dead). */
  #land(flight: { idx: number; open: boolean }): void {
    if (!flight.open) return;
    flight.open = false;
    this.#flights.delete(flight);
    this.#inFlight--;
  }

  /** B9: no answer (refused, timeout, 5xx, not running): back to INIT with failover on, else FAILED. */
  #dispatchFailed(idx: number, handles: Uint32Array, reason: string, isRoot: boolean): void {
    if (isRoot) { void this.#abortInstance(reason); return; }
    this.#core.router.invalid[idx] = 1;
    this.#core.router.alive[idx] = 0;
    if (!this.settings.failover) return this.#dispatchRejected(idx, handles, reason, false);
    const t = this.#core.table;
    const codes = new Int32Array(handles.length);
    t.requeue(handles, handles.length, codes);
    const updates: StatusUpdate[] = [];
    const back: number[] = [];
    for (let i = 0; i < handles.length; i++) {
      if (codes[i] !== T_OK) continue;
      const h = handles[i]!;
      updates.push({ seq: this.#slots.seqOf(h), status: INIT, attempt: t.attemptOf(h), worker: null });
      back.push(h);
    }
    this.#retry.pushAll(back);
    if (updates.length) this.#writes.fire(() => this.#host.store.updateStatuses(this.#fence, updates));
  }

  /** B9: a definite refusal from a live worker fails the batch's tasks with the reason. */
  #dispatchRejected(idx: number, handles: Uint32Array, reason: string, isRoot: boolean): void {
    if (isRoot) { void this.#abortInstance(reason); return; }
    this.#core.router.invalid[idx] = 1;
    this.#core.router.alive[idx] = 0;
    this.#failHandles(handles, reason);
  }

  /** Fails live tasks (any status) in the table and the store. */
  #failHandles(handles: Uint32Array, reason: string): void {
    const t = this.#core.table;
    const updates: StatusUpdate[] = [];
    for (const h of handles) {
      if (t.status(h) === 0) continue;
      updates.push({ seq: this.#slots.seqOf(h), status: FAILED, attempt: t.attemptOf(h), worker: null, result: reason });
    }
    t.fail(handles, handles.length);
    for (const h of handles) this.#slots.release(h);
    if (updates.length) this.#writes.fire(() => this.#host.store.updateStatuses(this.#fence, updates));
  }

  // ---- pull mode (B4) ----

  #notifyPull(idx: number): void {
    const w = this.#workerAt[idx]!;
    const r = this.#core.router;
    if (r.invalid[idx] || (!this.settings.execOnMaster && w.isMaster && this.#otherWorkerValid())) return;
    this.#host.transport.request(w.address, {
      type: "notifyPull", master: this.#host.address, instance: this.#spec(), worker: { workerId: w.workerId, incarnation: w.incarnation }, pageSize: this.settings.pageSize,
    }, { timeoutMs: this.#host.requestTimeoutMs }).then((reply) => {
      if (!reply.ok) void this.#abortInstance(`worker ${w.workerId} refused to pull: ${reply.error}`);
      else r.alive[idx] = 1;
    }, () => {
      r.invalid[idx] = 1;
      this.#pullWorkerLost();
    });
  }

  /** A valid worker other than the master's own: only then is the own worker skipped (B5). */
  #otherWorkerValid(): boolean {
    const r = this.#core.router;
    for (let i = 0; i < this.#workerAt.length; i++) if (!r.invalid[i] && !r.isMaster[i]) return true;
    return false;
  }

  /**
   * Pull mode, after a worker can no longer take tasks: once no other worker can, the master's
   * own worker pulls (B5); when none can at all, "all workers are down" after workerWaitMs.
   */
  #pullWorkerLost(): void {
    if (this.settings.dispatchMode !== "pull" || this.#finishing || this.#closed || this.#otherWorkerValid()) return;
    const own = this.#workerIdx.get(this.#ownKey());
    if (own === undefined || this.#core.router.invalid[own]) this.#waitForWorkers();
    else if (!this.settings.execOnMaster) this.#notifyPull(own);
  }

  /** A worker asks for tasks: at most pageSize, none past globalConsumerSize or for a stale cycle. */
  pull(w: WorkerInfo, m: Pull): Promise<PullReply | Refusal> {
    if (this.settings.dispatchMode !== "pull") return Promise.resolve(refuse("rejected", "instance is not in pull mode", "instanceId"));
    if (m.serialNum !== this.#serialNum) return Promise.resolve(refuse("rejected", `stale serialNum ${m.serialNum}, current ${this.#serialNum}`, "serialNum"));
    const idx = this.#workerIdx.get(w.key);
    if (idx === undefined || this.#core.router.invalid[idx]) return Promise.resolve(refuse("rejected", `worker ${w.workerId} takes no tasks of this instance`));
    if (this.#finishing || this.#closed) return Promise.resolve(refuse("rejected", "instance is finishing"));
    return new Promise((resolve) => {
      const entry = { idx, max: Math.min(m.max, this.settings.pageSize), resolve, timer: 0 };
      entry.timer = this.#host.clock.setTimeout(() => {
        const i = this.#pulls.indexOf(entry);
        if (i >= 0) { this.#pulls.splice(i, 1); resolve({ ok: true, tasks: [] }); }
      }, this.settings.pullWaitMs);
      this.#pulls.push(entry);
      this.#pump();
    });
  }

  #servePulls(): void {
    const s = this.settings;
    while (this.#pulls.length > 0 && this.#pending() > 0 && !this.#finishing) {
      const inUse = this.#sumNames(N_PULLED) + this.#sumNames(N_RUNNING);
      const cap = Math.min(this.#pulls[0]!.max, s.globalConsumerSize - inUse);
      if (cap <= 0) return;
      const granted = this.#core.limiter.take(this.#host.clock.now(), cap);
      if (granted === 0) { this.#waitForToken(); return; }
      const handles = this.#takeHandles(granted);
      if (handles.length === 0) continue;
      const p = this.#pulls.shift()!;
      this.#host.clock.clearTimeout(p.timer);
      const t = this.#core.table;
      const workers = new Int32Array(handles.length).fill(p.idx);
      const codes = new Int32Array(handles.length);
      t.assign(handles, workers, handles.length, codes);
      const ok = Array.from(handles).filter((_, i) => codes[i] === T_OK);
      const w = this.#workerAt[p.idx]!;
      // Seqs now, not when the write runs: by then a fast task may have ended and its slot hold another task.
      const seqs = ok.map((h) => this.#slots.seqOf(h));
      this.#writes.fire(() => this.#host.store.setStatus(this.#fence, seqs, PULLED, w.key));
      p.resolve({
        ok: true,
        tasks: ok.map((h) => ({ handle: h, taskId: this.#slots.taskIdOf(h), name: this.#nameList[t.nameOf(h)]!, body: this.#slots.bodyOf(h), attempt: t.attemptOf(h) })),
      });
    }
  }

  #answerPulls(): void {
    for (const p of this.#pulls.splice(0)) {
      this.#host.clock.clearTimeout(p.timer);
      p.resolve(refuse("rejected", "instance is finishing"));
    }
  }

  // =====================================================================
  // Reports (B11)
  // =====================================================================

  /** Applies a worker's reports for this instance; returns [applied, refused]. */
  applyReports(w: WorkerInfo, reports: readonly TaskReport[]): [number, number] {
    const idx = this.#workerIdx.get(w.key);
    if (idx === undefined) return [0, reports.length];
    this.#updateLoad(idx, w);
    // One report per task: a final one wins over RUNNING (B11).
    const byHandle = new Map<number, TaskReport>();
    let refused = 0;
    for (const r of reports) {
      if (r.serialNum !== this.#serialNum) { refused++; continue; }
      const prev = byHandle.get(r.handle);
      if (prev) {
        refused++;
        if (prev.status !== "RUNNING" && r.status === "RUNNING") continue;
      }
      byHandle.set(r.handle, r);
    }
    const n = byHandle.size;
    if (n === 0) return [0, refused];
    const list = [...byHandle.values()];
    const handles = new Uint32Array(n), attempts = new Int32Array(n), workers = new Int32Array(n).fill(idx), statuses = new Int32Array(n);
    const seqs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = list[i]!;
      handles[i] = r.handle;
      attempts[i] = r.attempt;
      statuses[i] = r.status === "RUNNING" ? RUNNING : r.status === "SUCCESS" ? SUCCESS : FAILED;
      seqs[i] = this.#slots.seqOf(r.handle);
    }
    // A report must also name the task the handle holds now.
    for (let i = 0; i < n; i++) if (this.#slots.taskIdOf(handles[i]!) !== list[i]!.taskId) handles[i] = 0xffffffff;
    const codes = new Int32Array(n);
    const applied = this.#core.table.report(handles, attempts, workers, statuses, n, codes);
    this.#core.router.alive[idx] = 1;
    const updates: StatusUpdate[] = [];
    for (let i = 0; i < n; i++) {
      if (codes[i] !== T_OK) { refused++; continue; }
      const r = list[i]!;
      if (r.traceId) this.#traceIds.set(idx, r.traceId);
      if (statuses[i] === RUNNING) continue; // RUNNING lives in the counters; the store keeps PULLED (restart treats both alike)
      updates.push({ seq: seqs[i]!, status: statuses[i] as TaskStatusCode, attempt: r.attempt, worker: w.key, result: r.result ?? null });
      this.#slots.release(handles[i]!);
      if (seqs[i] === 0) this.#rootResult = { status: statuses[i]!, result: r.result ?? null };
    }
    if (updates.length > 0) this.#writes.fire(() => this.#host.store.updateStatuses(this.#fence, updates));
    if (applied > 0) {
      this.#pump();
      this.#checkCompletion();
    }
    return [applied, refused];
  }

  // =====================================================================
  // Completion, reduce, cleanup (B12, B16, B18, B20)
  // =====================================================================

  #sumNames(field: number): number {
    const v = this.#core.counters.nameView;
    let s = 0;
    for (let i = 0; i < this.#nameList.length; i++) if (i !== REDUCE) s += v[i * NAME_FIELDS + field]!;
    return s;
  }

  /** B12: when every task is final and nothing is in flight, decide and finish. */
  #checkCompletion(): void {
    if (this.#finishing || this.#closed || this.#status !== "RUNNING") return;
    if (this.#sumNames(N_INIT) + this.#sumNames(N_PULLED) + this.#sumNames(N_RUNNING) > 0) return;
    if (this.#reserved > 0 || this.#core.table.live > 0) return;
    this.#finishing = true;
    void this.#complete();
  }

  async #complete(): Promise<void> {
    try {
      await this.#writes.drain();
    } catch { /* reported through onFatal */ }
    if (this.#closed) return;
    const total = this.#sumNames(N_TOTAL), success = this.#sumNames(N_SUCCESS), failed = this.#sumNames(N_FAILED);
    let status: "SUCCESS" | "FAILED";
    let result: JsonValue;
    if (success + failed < total) {
      status = "FAILED";
      result = `count is wrong: ${success} succeeded + ${failed} failed < ${total} tasks`;
    } else if (failed > 0) {
      status = "FAILED";
      result = this.#rootResult && this.#rootResult.status === FAILED ? this.#rootResult.result : `${failed} of ${total} tasks failed`;
    } else {
      status = "SUCCESS";
      result = this.#rootResult?.result ?? null;
    }
    if (isMapReduce(this.#processor)) {
      const rrif = this.settings.runReduceIfFail ?? this.#processor.runReduceIfFail ?? false;
      if (status === "SUCCESS" || rrif) {
        const outcome = await this.#reduce(status);
        if (this.#closed) return;
        if (outcome.status === "FAILED") result = outcome.result;
        else if (status === "SUCCESS") result = outcome.result;
        if (outcome.status === "FAILED") status = "FAILED";
      }
    } else {
      try {
        await this.#host.ownWorker.postProcess(this.#spec(), status, this.#host.store.results(this.instanceId), this.#abort.signal);
      } catch (e) {
        status = "FAILED";
        result = `postProcess failed: ${message(e)}`;
      }
    }
    await this.#finalize(status, result, true);
  }

  /** B16: reduce on the master's own worker, counted as one REDUCE task. */
  async #reduce(status: "SUCCESS" | "FAILED"): Promise<{ status: "SUCCESS" | "FAILED"; result: JsonValue }> {
    const c = this.#core;
    const own = this.#workerIdx.get(this.#ownKey()) ?? 0;
    c.counters.add(Int32Array.of(REDUCE), Int32Array.of(1));
    const h = new Uint32Array(1);
    c.table.admit(Int32Array.of(REDUCE), Int32Array.of(0), 1, h);
    c.table.assign(h, Int32Array.of(own), 1);
    c.table.report(h, Int32Array.of(0), Int32Array.of(own), Int32Array.of(RUNNING), 1);
    const outcome = await this.#host.ownWorker.reduce(this.#spec(), status, this.#host.store.results(this.instanceId), this.#abort.signal);
    c.table.report(h, Int32Array.of(0), Int32Array.of(own), Int32Array.of(outcome.status === "SUCCESS" ? SUCCESS : FAILED), 1);
    return outcome;
  }

  /** Records the outcome of a cycle, cleans up (B18), and schedules the next cycle (B20). */
  async #finalize(status: "SUCCESS" | "FAILED", result: JsonValue, clean: boolean): Promise<void> {
    this.#finishing = true;
    this.#stopTimers();
    this.#releaseWaiters();
    this.#answerPulls();
    const { names, workers } = this.progress();
    const progress: Progress = { names, workers };
    const s = this.settings;
    const again = this.#killed === null && s.every !== null && (s.maxCycles === null || this.#cycles < s.maxCycles);
    this.#result = result;
    if (!again) this.#status = status;
    const store = this.#host.store;
    try {
      await this.#writes.drain();
      await store.updateInstance(this.#fence, again
        ? { result, progress }
        : { status, result, progress, finishedAt: this.#host.clock.now() });
      for (const w of this.#workerAt) this.#destroyPoolOn(w);
      if (clean) await store.clearTasks(this.#fence);
    } catch (e) {
      if (e instanceof FencedError) return this.#depose(e);
      this.#status = "FAILED";
      this.#result = `persistence failed: ${message(e)}`;
    }
    this.#emitProgress();
    if (again) {
      const wait = Math.max(0, this.#cycleStart + (s.every ?? 0) - this.#host.clock.now());
      this.#cycleTimer = this.#host.clock.setTimeout(() => { this.#cycleTimer = undefined; void this.#nextCycle(); }, wait);
    } else {
      this.#listeners.clear();
    }
    this.#host.onCycleEnd(this);
  }

  async #nextCycle(): Promise<void> {
    if (this.#closed || this.#killed !== null) return;
    this.#serialNum++;
    try {
      await this.#host.store.updateInstance(this.#fence, { serialNum: this.#serialNum });
    } catch (e) {
      if (e instanceof FencedError) return this.#depose(e);
    }
    await this.start();
  }

  /** Fails the instance now: every unfinished task FAILED with the reason, no reduce (B17). */
  async #abortInstance(reason: string): Promise<void> {
    if (this.#finishing || this.#closed) return;
    this.#finishing = true;
    this.#abort.abort(reason);
    const c = this.#core;
    const live = c.table.scan(-1);
    c.table.fail(live, live.length);
    for (const h of live) this.#slots.release(h);
    for (let i = 0; i < this.#nameList.length; i++) {
      const init = c.counters.nameView[i * NAME_FIELDS + N_INIT]!;
      if (init > 0) c.counters.move(i, INIT, FAILED, init);
    }
    for (const w of this.#workerAt) {
      this.#host.transport.request(w.address, { type: "killInstance", instanceId: this.instanceId, reason }, { timeoutMs: this.#host.requestTimeoutMs })
        .catch(() => undefined);
    }
    try {
      await this.#writes.run(() => this.#host.store.failUnfinished(this.#fence, reason));
    } catch (e) {
      if (e instanceof FencedError) return this.#depose(e);
    }
    await this.#finalize("FAILED", reason, true);
  }

  /** B17: kills the instance: running tasks aborted, unfinished ones FAILED, instance FAILED. */
  async kill(reason: string): Promise<void> {
    if (this.#status !== "RUNNING") return;
    this.#killed = reason;
    if (this.#cycleTimer !== undefined) {
      // Between cycles of a recurring job: nothing runs; just end it.
      this.#host.clock.clearTimeout(this.#cycleTimer);
      this.#cycleTimer = undefined;
      this.#status = "FAILED";
      this.#result = `killed: ${reason}`;
      await this.#host.store.updateInstance(this.#fence, { status: "FAILED", result: this.#result, finishedAt: this.#host.clock.now() });
      this.#host.onCycleEnd(this);
      return;
    }
    if (this.#finishing) return;
    await this.#abortInstance(`killed: ${reason}`);
  }

  /** B17: kills one task: aborted on its worker (it reports FAILED), or failed at once if not dispatched. */
  async killTask(taskId: string, reason: string): Promise<boolean> {
    if (this.#finishing || this.#closed) return false;
    const t = this.#core.table;
    for (const h of t.scan(-1)) {
      if (this.#slots.taskIdOf(h) !== taskId) continue;
      const st = t.status(h);
      if (st === INIT) {
        this.#failHandles(Uint32Array.of(h), `killed: ${reason}`);
        this.#checkCompletion();
      } else {
        const w = this.#workerAt[t.workerOf(h)]!;
        await this.#host.transport.request(w.address, { type: "killTask", instanceId: this.instanceId, taskId, reason }, { timeoutMs: this.#host.requestTimeoutMs })
          .catch(() => undefined);
      }
      return true;
    }
    // Not in memory: an INIT row still waiting in the store.
    const row = await this.#host.store.getTask(this.instanceId, taskId);
    if (!row || row.status !== INIT) return false;
    await this.#writes.run(() => this.#host.store.updateStatuses(this.#fence, [{ seq: row.seq, status: FAILED, attempt: row.attempt, worker: null, result: `killed: ${reason}` }]));
    this.#core.counters.move(this.#nameIndex(row.name), INIT, FAILED, 1);
    this.#checkCompletion();
    return true;
  }

  // =====================================================================
  // Progress (B13)
  // =====================================================================

  /** Counters per task name and per worker, now. */
  progress(): InstanceProgress {
    const c = this.#core.counters;
    const names: Progress["names"] = {};
    for (let i = 0; i < this.#nameList.length; i++) {
      const n = c.name(i);
      if (n.total > 0) names[this.#nameList[i]!] = n;
    }
    const workers: Progress["workers"] = {};
    for (let i = 0; i < this.#workerAt.length; i++) {
      const w = c.worker(i);
      if (w.total === 0) continue;
      const trace = this.#traceIds.get(i);
      workers[this.#workerAt[i]!.key] = trace === undefined ? w : { ...w, traceId: trace };
    }
    return { instanceId: this.instanceId, status: this.#status, serialNum: this.#serialNum, result: this.#result, names, workers };
  }

  /** Calls `fn` with progress on the progress interval while the instance runs, and at the end. */
  watch(fn: ProgressListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #emitProgress(): void {
    if (this.#listeners.size === 0) return;
    const p = this.progress();
    for (const fn of this.#listeners) fn(p);
  }

  /** Refusals counted by the core (stale, duplicate, wrong attempt or worker). */
  refusals() {
    return this.#core.counters.refused();
  }
}
