// Reads and host-side writes shared by both engines: they only touch the
// typed-array views, so the WASM façade and the twin behave identically here.
import {
  FREE, NAME_FIELDS, WORKER_FIELDS, N_TOTAL, N_INIT, N_PULLED, N_RUNNING, N_SUCCESS, N_FAILED,
  W_TOTAL, W_PULLED, W_RUNNING, W_SUCCESS, W_FAILED, T_STALE, T_WRONG_ATTEMPT, T_WRONG_WORKER,
  T_ILLEGAL, SLOT_BITS, SLOT_MASK, S_Q_CAP, S_Q_SIZE, S_T_CAP, S_T_ALLOC, S_T_LIVE, S_W_COUNT, S_MAX_WORKERS,
} from "../../core-as/shared/constants.ts";
import type { CoreViews } from "./views.ts";
import type {
  NameCounts, RefusedCounts, WorkerCounts, WorkerRouting, RouterConfig, Rate, TaskQueue, TaskTable,
  ProgressCounters, Router, RateLimiter,
} from "./types.ts";
import { expectInt } from "../errors/validate.ts";
import { defaultBurst } from "./rate.ts";

/** Queue reads. */
export abstract class QueueBase implements TaskQueue {
  constructor(protected readonly v: CoreViews) {}
  get capacity(): number { return this.v.state[S_Q_CAP]!; }
  get size(): number { return this.v.state[S_Q_SIZE]!; }
  get free(): number { return this.v.state[S_Q_CAP]! - this.v.state[S_Q_SIZE]!; }
  abstract pushBatch(handles: Uint32Array, count?: number): number;
  abstract popBatch(out: Uint32Array, max?: number): number;
  abstract clear(): void;
}

/** Counter reads. */
export abstract class CountersBase implements ProgressCounters {
  constructor(protected readonly v: CoreViews) {}
  get nameView(): Int32Array { return this.v.names; }
  get workerView(): Int32Array { return this.v.workers; }
  name(index: number): NameCounts {
    const b = index * NAME_FIELDS, n = this.v.names;
    return {
      total: n[b + N_TOTAL]!, init: n[b + N_INIT]!, pulled: n[b + N_PULLED]!,
      running: n[b + N_RUNNING]!, success: n[b + N_SUCCESS]!, failed: n[b + N_FAILED]!,
    };
  }
  worker(index: number): WorkerCounts {
    const b = index * WORKER_FIELDS, w = this.v.workers;
    return {
      total: w[b + W_TOTAL]!, pulled: w[b + W_PULLED]!, running: w[b + W_RUNNING]!,
      success: w[b + W_SUCCESS]!, failed: w[b + W_FAILED]!,
    };
  }
  refused(): RefusedCounts {
    const r = this.v.refused;
    return { stale: r[T_STALE]!, wrongAttempt: r[T_WRONG_ATTEMPT]!, wrongWorker: r[T_WRONG_WORKER]!, illegal: r[T_ILLEGAL]! };
  }
  abstract add(names: Int32Array, counts: Int32Array, count?: number): number;
  abstract move(name: number, from: number, to: number, count: number): boolean;
  abstract reset(): void;
}

/** Task-table reads. */
export abstract class TableBase implements TaskTable {
  constructor(protected readonly v: CoreViews) {}
  get capacity(): number { return this.v.state[S_T_CAP]!; }
  get live(): number { return this.v.state[S_T_LIVE]!; }
  get free(): number { return this.v.state[S_T_CAP]! - this.v.state[S_T_LIVE]!; }
  /** Slot of a live handle, or -1. */
  protected slotOf(handle: number): number {
    const slot = handle & SLOT_MASK;
    if (slot >= this.v.state[S_T_ALLOC]! || this.v.tStatus[slot] === FREE) return -1;
    return this.v.tGen[slot] === handle >>> SLOT_BITS ? slot : -1;
  }
  status(handle: number): number { const s = this.slotOf(handle); return s < 0 ? FREE : this.v.tStatus[s]!; }
  nameOf(handle: number): number { const s = this.slotOf(handle); return s < 0 ? -1 : this.v.tName[s]!; }
  workerOf(handle: number): number { const s = this.slotOf(handle); return s < 0 ? -1 : this.v.tWorker[s]!; }
  attemptOf(handle: number): number { const s = this.slotOf(handle); return s < 0 ? -1 : this.v.tAttempt[s]!; }
  abstract admit(names: Int32Array, attempts: Int32Array, count: number, outHandles: Uint32Array): number;
  abstract assign(handles: Uint32Array, workers: Int32Array, count: number, outCodes?: Int32Array): number;
  abstract report(h: Uint32Array, a: Int32Array, w: Int32Array, s: Int32Array, count: number, outCodes?: Int32Array): number;
  abstract requeue(handles: Uint32Array, count: number, outCodes?: Int32Array): number;
  abstract fail(handles: Uint32Array, count: number, outCodes?: Int32Array): number;
  abstract scan(worker: number): Uint32Array;
}

/** Worker-table writes and reads. */
export abstract class RouterBase implements Router {
  constructor(protected readonly v: CoreViews) {}
  get alive(): Uint8Array { return this.v.wAlive; }
  get invalid(): Uint8Array { return this.v.wInvalid; }
  get isMaster(): Uint8Array { return this.v.wMaster; }
  get freeSlots(): Int32Array { return this.v.wSlots; }
  get cpuFree(): Float32Array { return this.v.wCpu; }
  get memFree(): Float32Array { return this.v.wMem; }
  get latencyMs(): Float32Array { return this.v.wLatency; }
  get workerCount(): number { return this.v.state[S_W_COUNT]!; }
  set workerCount(n: number) {
    this.v.state[S_W_COUNT] = expectInt("workerCount", n, 0, this.v.state[S_MAX_WORKERS]!);
  }
  setWorker(i: number, w: WorkerRouting): void {
    expectInt("worker index", i, 0, this.v.state[S_MAX_WORKERS]! - 1);
    const v = this.v;
    v.wAlive[i] = w.alive ? 1 : 0;
    v.wInvalid[i] = w.invalid ? 1 : 0;
    v.wMaster[i] = w.isMaster ? 1 : 0;
    v.wSlots[i] = Math.max(0, w.freeSlots | 0);
    v.wCpu[i] = w.cpuFree;
    v.wMem[i] = w.memFree;
    v.wLatency[i] = w.latencyMs;
  }
  abstract configure(config: RouterConfig): void;
  abstract route(count: number, out: Int32Array, redispatch?: boolean): number;
}

/** Limiter configuration shared by both engines. */
export abstract class LimiterBase implements RateLimiter {
  configure(rate: Rate | null, nowMs: number, burst?: number): void {
    if (rate === null) return this.set(0, 0, 0, nowMs);
    const start = burst ?? defaultBurst(rate);
    // Room for one token more than the start, so a token that arrives between
    // two takes is not lost to the cap: the achieved rate stays exact.
    this.set(rate.perPeriod / rate.periodMs, Math.max(start, 2), start, nowMs);
  }
  protected abstract set(ratePerMs: number, burst: number, tokens: number, nowMs: number): void;
  abstract take(nowMs: number, want: number): number;
  abstract nextAt(nowMs: number): number;
}
