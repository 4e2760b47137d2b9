/**
 * The interfaces of taskmill's hot path. Two engines implement them: the
 * AssemblyScript core compiled to WASM (`wasm/`) and its pure-TypeScript twin
 * (`twin/`). Both use the same typed-array layout; one shared test suite and
 * one benchmark run against both.
 */

/** Which implementation backs a core. */
export type CoreEngine = "wasm" | "ts";

/**
 * Sizes of a core's arenas, chosen at creation. The queue and the task table
 * are capacities: they start at `initialCapacity` slots and double as they
 * fill, so an unused capacity costs no memory; the rest is allocated whole.
 */
export interface CoreOptions {
  /** Capacity of the dispatch queue of task handles. @default 10000 */
  queueCapacity?: number;
  /** Live tasks (queued, pulled, running) the task table can hold. @default 65536 */
  tableCapacity?: number;
  /** Distinct task names counted. @default 64 */
  maxNames?: number;
  /** Workers in the worker table. @default 1024 */
  maxWorkers?: number;
  /** Items per batch call crossing into the core; larger batches are chunked. @default 4096 */
  ioCapacity?: number;
  /** Slots the queue and the task table start with (each at most its capacity), before growing. @default 1024 */
  initialCapacity?: number;
}

/** Ring-buffer queue of u32 task handles. It never overwrites. */
export interface TaskQueue {
  /** Capacity: the most handles it holds (memory grows toward it as it fills). */
  readonly capacity: number;
  /** Handles queued. */
  readonly size: number;
  /** Room left. */
  readonly free: number;
  /** Appends `count` handles (default all); returns how many fit. */
  pushBatch(handles: Uint32Array, count?: number): number;
  /** Removes up to `max` handles (default `out.length`) into `out`; returns how many. */
  popBatch(out: Uint32Array, max?: number): number;
  /** Empties the queue. */
  clear(): void;
}

/** Counters of one task name. Invariant: total = init + pulled + running + success + failed. */
export interface NameCounts {
  total: number;
  init: number;
  pulled: number;
  running: number;
  success: number;
  failed: number;
}

/** Counters of one worker. Invariant: total = pulled + running + success + failed. */
export interface WorkerCounts {
  total: number;
  pulled: number;
  running: number;
  success: number;
  failed: number;
}

/** Refused transitions by reason, since creation. */
export interface RefusedCounts {
  stale: number;
  wrongAttempt: number;
  wrongWorker: number;
  illegal: number;
}

/** Progress counters per task-name index and per worker index. */
export interface ProgressCounters {
  /** Live view: `maxNames × NAME_FIELDS` Int32 words (fields in `N_*` order). */
  readonly nameView: Int32Array;
  /** Live view: `maxWorkers × WORKER_FIELDS` Int32 words (fields in `W_*` order). */
  readonly workerView: Int32Array;
  /**
   * Adds new INIT tasks: name `names[i]` gains `counts[i]` to total and init.
   * Returns how many items applied; a bad name index or a negative count is refused.
   */
  add(names: Int32Array, counts: Int32Array, count?: number): number;
  /**
   * Finishes `count` INIT tasks of a name that the task table does not hold
   * (rows still waiting in the store): `from` must be INIT and `to` SUCCESS or
   * FAILED. Used to kill an instance and to rebuild counters from the store.
   * Refused (false, counted) otherwise or when init would go below zero.
   */
  move(name: number, from: number, to: number, count: number): boolean;
  /** Counters of one task name. */
  name(index: number): NameCounts;
  /** Counters of one worker. */
  worker(index: number): WorkerCounts;
  /** Refused transitions so far. */
  refused(): RefusedCounts;
  /** Zeroes every name and worker counter (refusals are kept). */
  reset(): void;
}

/**
 * Per-task state of live tasks keyed by handle. Each transition checks the
 * task's current state (and, for reports, attempt and worker) and moves the
 * counters with it; a finished task's handle is recycled with a new generation.
 * Every batch method returns how many items applied and, when `outCodes` is
 * given, writes each item's outcome (`T_OK`, `T_STALE`, ...).
 */
export interface TaskTable {
  /** Capacity: the most live tasks it holds (memory grows toward it as it fills). */
  readonly capacity: number;
  /** Live tasks. */
  readonly live: number;
  /** Room left. */
  readonly free: number;
  /** Admits INIT tasks (already counted); writes their handles to `outHandles`; returns how many fit. */
  admit(names: Int32Array, attempts: Int32Array, count: number, outHandles: Uint32Array): number;
  /** INIT → PULLED on the given workers. */
  assign(handles: Uint32Array, workers: Int32Array, count: number, outCodes?: Int32Array): number;
  /** Applies worker reports (RUNNING, SUCCESS, FAILED) checked against attempt and worker. */
  report(
    handles: Uint32Array,
    attempts: Int32Array,
    workers: Int32Array,
    statuses: Int32Array,
    count: number,
    outCodes?: Int32Array,
  ): number;
  /** PULLED/RUNNING → INIT with attempt + 1 (failover). */
  requeue(handles: Uint32Array, count: number, outCodes?: Int32Array): number;
  /** Any live status → FAILED (kill, rejection, failover off). */
  fail(handles: Uint32Array, count: number, outCodes?: Int32Array): number;
  /** Handles of the PULLED/RUNNING tasks of `worker`, or of every live task when `worker` is -1. */
  scan(worker: number): Uint32Array;
  /** Status of a handle: FREE when it is not live. */
  status(handle: number): number;
  /** Name index of a live handle (-1 when not live). */
  nameOf(handle: number): number;
  /** Worker of a live handle (-1 when unassigned or not live). */
  workerOf(handle: number): number;
  /** Attempt of a live handle (-1 when not live). */
  attemptOf(handle: number): number;
}

/** One worker's routing facts. */
export interface WorkerRouting {
  /** Has answered the master at least once. */
  alive: boolean;
  /** Dead, unreachable or gone: never routed to. */
  invalid: boolean;
  /** The master's own worker. */
  isMaster: boolean;
  /** Free container slots (worker-load routing consumes them). */
  freeSlots: number;
  /** Free CPU fraction 0..1. */
  cpuFree: number;
  /** Free memory fraction 0..1. */
  memFree: number;
  /** Dispatch latency in ms. */
  latencyMs: number;
}

/** Routing configuration. */
export interface RouterConfig {
  /** `ROUTE_ROUND_ROBIN` or `ROUTE_WORKER_LOAD`. */
  mode: number;
  /** Sub-tasks may run on the master's own worker. */
  execOnMaster: boolean;
  /** Round-robin start index (random start, B5). @default 0 */
  startIndex?: number;
}

/** Worker routing (B5-B7) over a worker table the host writes. */
export interface Router {
  /** Live views of the worker table, indexed by worker index. */
  readonly alive: Uint8Array;
  readonly invalid: Uint8Array;
  readonly isMaster: Uint8Array;
  readonly freeSlots: Int32Array;
  readonly cpuFree: Float32Array;
  readonly memFree: Float32Array;
  readonly latencyMs: Float32Array;
  /** Workers in the table (indices `0..workerCount-1`). */
  workerCount: number;
  /** Sets mode, master rule and start index. */
  configure(config: RouterConfig): void;
  /** Writes every field of one worker. */
  setWorker(index: number, w: WorkerRouting): void;
  /**
   * Routes `count` tasks, writing a worker index per task into `out`; returns
   * how many were routed (it stops at the first task no worker can take).
   * `redispatch` restricts to workers that have answered (B6).
   */
  route(count: number, out: Int32Array, redispatch?: boolean): number;
}

/** A dispatch rate: `perPeriod` tasks every `periodMs`. */
export interface Rate {
  perPeriod: number;
  periodMs: number;
}

/** Token-bucket limiter of dispatched tasks per unit of time (B8). */
export interface RateLimiter {
  /**
   * Sets the rate (null = unlimited) at time `nowMs`. The bucket starts with
   * `burst` tokens (default: 100 ms worth, at least one) and holds at most
   * max(burst, 2), so a token arriving between two takes is never lost.
   */
  configure(rate: Rate | null, nowMs: number, burst?: number): void;
  /** Grants up to `want` tasks at `nowMs`; returns how many. */
  take(nowMs: number, want: number): number;
  /** When the next task may go (`nowMs` if one may now). */
  nextAt(nowMs: number): number;
}

/** One core: the hot-path structures of one master instance. */
export interface Core {
  readonly engine: CoreEngine;
  readonly queue: TaskQueue;
  readonly table: TaskTable;
  readonly counters: ProgressCounters;
  readonly router: Router;
  readonly limiter: RateLimiter;
}
