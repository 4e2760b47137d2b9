import { W_PULLED, W_RUNNING, WORKER_FIELDS } from "../../../core-as/shared/constants.ts";
import type { Core } from "../../core/index.ts";
import type { WorkerInfo } from "../worker-registry.ts";
import { ParamsSent } from "./params-once.ts";

/** Worker incarnations per cycle: the core's router and counters are sized for it. */
export const MAX_WORKERS = 1024;

/** What the worker table reads of the job's settings. */
export interface WorkerTableSettings {
  readonly targetWorkers: readonly string[] | null;
  readonly consumerSize: number;
  readonly execOnMaster: boolean;
}

/**
 * The worker incarnations one cycle knows, by index in the core's router
 * (B14, B15): which are valid (may take tasks), which answered, their load,
 * the tasks each holds, and the trace id each last reported.
 */
export class WorkerTable {
  readonly #core: Core;
  readonly #settings: WorkerTableSettings;
  readonly #ownWorker: () => WorkerInfo | undefined;
  readonly #index = new Map<string, number>();
  readonly #at: WorkerInfo[] = [];
  readonly #traceIds = new Map<number, string>();
  /** Which incarnations were sent this cycle's params (M6). */
  readonly params = new ParamsSent();

  /** @param ownWorker the current incarnation of the master's own worker */
  constructor(core: Core, settings: WorkerTableSettings, ownWorker: () => WorkerInfo | undefined) {
    this.#core = core;
    this.#settings = settings;
    this.#ownWorker = ownWorker;
  }

  /** Incarnations in the table. */
  get size(): number { return this.#at.length; }

  /**
   * Adds an incarnation (a new one, or one that joined late). Outside
   * targetWorkers it is invalid: it takes no sub-task (the master's own
   * worker still gets ROOT and REDUCE, assigned directly). Returns its index,
   * or -1 when it is known already or the table is full.
   */
  add(w: WorkerInfo): number {
    if (this.#index.has(w.key) || this.#at.length >= MAX_WORKERS) return -1;
    const idx = this.#at.length;
    const r = this.#core.router;
    this.#index.set(w.key, idx);
    this.#at.push(w);
    r.setWorker(idx, {
      alive: w.isMaster, invalid: !this.targeted(w), isMaster: w.isMaster,
      freeSlots: Math.min(this.#settings.consumerSize, w.slots), cpuFree: w.load.cpuFree ?? 1, memFree: w.load.memFree ?? 1, latencyMs: 0,
    });
    r.workerCount = idx + 1;
    return idx;
  }

  /**
   * B28: a returning worker's new incarnation takes over the index of the
   * placeholder that held its tasks across the master's restart: the tasks
   * stay on that index, now under the new key. It has not answered yet.
   */
  rebind(idx: number, w: WorkerInfo): void {
    const old = this.#at[idx]!;
    this.#index.delete(old.key);
    this.#index.set(w.key, idx);
    this.#at[idx] = w;
    this.#traceIds.delete(idx);
    const r = this.#core.router;
    r.invalid[idx] = this.targeted(w) ? 0 : 1;
    r.alive[idx] = 0;
    r.isMaster[idx] = w.isMaster ? 1 : 0;
    this.updateLoad(idx, w);
  }

  /** Whether targetWorkers lets `w` take sub-tasks. */
  targeted(w: WorkerInfo): boolean {
    return this.#settings.targetWorkers === null || this.#settings.targetWorkers.includes(w.workerId);
  }

  /** The index of an incarnation, by its key. */
  indexOf(key: string): number | undefined { return this.#index.get(key); }

  /** The incarnation at `idx`. */
  at(idx: number): WorkerInfo { return this.#at[idx]!; }

  /** Every incarnation, by index. */
  all(): readonly WorkerInfo[] { return this.#at; }

  /** The index of the master's own worker's current incarnation. */
  ownIndex(): number | undefined {
    const w = this.#ownWorker();
    return w ? this.#index.get(w.key) : undefined;
  }

  /** Tasks handed to worker `idx` and not finished. */
  held(idx: number): number {
    const v = this.#core.counters.workerView, b = idx * WORKER_FIELDS;
    return v[b + W_PULLED]! + v[b + W_RUNNING]!;
  }

  isValid(idx: number): boolean { return !this.#core.router.invalid[idx]; }
  isAlive(idx: number): boolean { return !!this.#core.router.alive[idx]; }

  /** The worker answered: alive, with the round trip it took when known. */
  answered(idx: number, latencyMs?: number): void {
    const r = this.#core.router;
    r.alive[idx] = 1;
    if (latencyMs !== undefined) r.latencyMs[idx] = latencyMs;
  }

  /** The worker takes no more tasks of this cycle (B15). */
  invalidate(idx: number): void {
    const r = this.#core.router;
    r.invalid[idx] = 1;
    r.alive[idx] = 0;
  }

  /** Takes the free CPU and memory a worker last reported, for worker-load routing (B7). */
  updateLoad(idx: number, w: WorkerInfo): void {
    const r = this.#core.router;
    r.cpuFree[idx] = w.load.cpuFree ?? 1;
    r.memFree[idx] = w.load.memFree ?? 1;
  }

  /** The tasks of this instance worker `idx` runs at once: min(consumerSize, its slots) (M5). */
  capacityOf(idx: number): number { return Math.min(this.#settings.consumerSize, this.#at[idx]!.slots); }

  /** Worker-load: free slots = min(consumerSize, the worker's slots: M5) − tasks held, from the counters. */
  refreshFreeSlots(): void {
    const r = this.#core.router;
    for (let i = 0; i < this.#at.length; i++) r.freeSlots[i] = Math.max(0, this.capacityOf(i) - this.held(i));
  }

  /** Workers that may take sub-tasks now: the master's own one only when no other is valid or execOnMaster (B5). */
  eligible(): number {
    const r = this.#core.router, n = this.#at.length;
    let valid = 0, master = 0;
    for (let i = 0; i < n; i++) {
      if (r.invalid[i]) continue;
      valid++;
      if (r.isMaster[i]) master++;
    }
    return !this.#settings.execOnMaster && valid > 1 ? valid - master : valid;
  }

  /** A valid worker other than the master's own (only then is the own worker skipped, B5). */
  otherValid(): boolean {
    const r = this.#core.router;
    for (let i = 0; i < this.#at.length; i++) if (!r.invalid[i] && !r.isMaster[i]) return true;
    return false;
  }

  /** Records the trace id a worker's report carried (shown with its progress, B13). */
  setTrace(idx: number, traceId: string): void { this.#traceIds.set(idx, traceId); }

  /** The last trace id worker `idx` reported. */
  traceOf(idx: number): string | undefined { return this.#traceIds.get(idx); }
}
