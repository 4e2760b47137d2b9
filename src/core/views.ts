import {
  STATE_WORDS, NAME_FIELDS, WORKER_FIELDS, T_CODES, LIMITER_WORDS, H_STATE, H_QUEUE, H_T_STATUS,
  H_T_NAME, H_T_WORKER, H_T_ATTEMPT, H_T_GEN, H_T_FREE, H_NAMES, H_WORKERS, H_REFUSED, H_W_ALIVE,
  H_W_INVALID, H_W_MASTER, H_W_SLOTS, H_W_CPU, H_W_MEM, H_W_LATENCY, H_SCRATCH, H_LIMITER,
  S_Q_CAP, S_T_CAP, S_T_FREE_TOP, S_MAX_NAMES, S_MAX_WORKERS, S_IO_CAP, S_EXEC_ON_MASTER, S_Q_ALLOC, S_T_ALLOC,
} from "../../core-as/shared/constants.ts";
import type { ResolvedCoreOptions } from "./options.ts";

/**
 * Typed-array views of one core's arenas. The WASM engine builds them over
 * its linear memory (offsets from the layout header `init` returns); the
 * twin allocates the same arrays itself. Either way the layout is the same.
 * The queue and task-table views are as long as what is allocated so far
 * (S_Q_ALLOC, S_T_ALLOC); when those arenas grow, the fields are replaced,
 * so holders read them through this object, never keep an array.
 */
export interface CoreViews {
  state: Int32Array;
  queue: Uint32Array;
  tStatus: Uint8Array;
  tName: Int32Array;
  tWorker: Int32Array;
  tAttempt: Int32Array;
  tGen: Int32Array;
  tFree: Int32Array;
  names: Int32Array;
  workers: Int32Array;
  refused: Int32Array;
  wAlive: Uint8Array;
  wInvalid: Uint8Array;
  wMaster: Uint8Array;
  wSlots: Int32Array;
  wCpu: Float32Array;
  wMem: Float32Array;
  wLatency: Float32Array;
  scratch: Int32Array;
  limiter: Float64Array;
}

/** Views over WASM memory, at the offsets of the layout header at `headerPtr` (rebuilt after growth). */
export function viewsFromHeader(buffer: ArrayBuffer, headerPtr: number, o: ResolvedCoreOptions): CoreViews {
  const h = new Int32Array(buffer, headerPtr, H_LIMITER + 1);
  const at = h.slice();
  const state = new Int32Array(buffer, at[H_STATE], STATE_WORDS);
  const qAlloc = state[S_Q_ALLOC]!, tAlloc = state[S_T_ALLOC]!;
  return {
    state,
    queue: new Uint32Array(buffer, at[H_QUEUE], qAlloc),
    tStatus: new Uint8Array(buffer, at[H_T_STATUS], tAlloc),
    tName: new Int32Array(buffer, at[H_T_NAME], tAlloc),
    tWorker: new Int32Array(buffer, at[H_T_WORKER], tAlloc),
    tAttempt: new Int32Array(buffer, at[H_T_ATTEMPT], tAlloc),
    tGen: new Int32Array(buffer, at[H_T_GEN], tAlloc),
    tFree: new Int32Array(buffer, at[H_T_FREE], tAlloc),
    names: new Int32Array(buffer, at[H_NAMES], o.maxNames * NAME_FIELDS),
    workers: new Int32Array(buffer, at[H_WORKERS], o.maxWorkers * WORKER_FIELDS),
    refused: new Int32Array(buffer, at[H_REFUSED], T_CODES),
    wAlive: new Uint8Array(buffer, at[H_W_ALIVE], o.maxWorkers),
    wInvalid: new Uint8Array(buffer, at[H_W_INVALID], o.maxWorkers),
    wMaster: new Uint8Array(buffer, at[H_W_MASTER], o.maxWorkers),
    wSlots: new Int32Array(buffer, at[H_W_SLOTS], o.maxWorkers),
    wCpu: new Float32Array(buffer, at[H_W_CPU], o.maxWorkers),
    wMem: new Float32Array(buffer, at[H_W_MEM], o.maxWorkers),
    wLatency: new Float32Array(buffer, at[H_W_LATENCY], o.maxWorkers),
    scratch: new Int32Array(buffer, at[H_SCRATCH], o.maxWorkers),
    limiter: new Float64Array(buffer, at[H_LIMITER], LIMITER_WORDS),
  };
}

/** Fresh arrays of the same layout, initialised as the WASM `init` does (for the twin). */
export function allocateViews(o: ResolvedCoreOptions): CoreViews {
  const qAlloc = Math.min(o.queueCapacity, o.initialCapacity), tAlloc = Math.min(o.tableCapacity, o.initialCapacity);
  const v: CoreViews = {
    state: new Int32Array(STATE_WORDS),
    queue: new Uint32Array(qAlloc),
    tStatus: new Uint8Array(tAlloc),
    tName: new Int32Array(tAlloc),
    tWorker: new Int32Array(tAlloc),
    tAttempt: new Int32Array(tAlloc),
    tGen: new Int32Array(tAlloc),
    tFree: new Int32Array(tAlloc),
    names: new Int32Array(o.maxNames * NAME_FIELDS),
    workers: new Int32Array(o.maxWorkers * WORKER_FIELDS),
    refused: new Int32Array(T_CODES),
    wAlive: new Uint8Array(o.maxWorkers),
    wInvalid: new Uint8Array(o.maxWorkers),
    wMaster: new Uint8Array(o.maxWorkers),
    wSlots: new Int32Array(o.maxWorkers),
    wCpu: new Float32Array(o.maxWorkers),
    wMem: new Float32Array(o.maxWorkers),
    wLatency: new Float32Array(o.maxWorkers),
    scratch: new Int32Array(o.maxWorkers),
    limiter: new Float64Array(LIMITER_WORDS),
  };
  for (let i = 0; i < tAlloc; i++) v.tFree[i] = tAlloc - 1 - i;
  v.state[S_Q_CAP] = o.queueCapacity;
  v.state[S_Q_ALLOC] = qAlloc;
  v.state[S_T_CAP] = o.tableCapacity;
  v.state[S_T_ALLOC] = tAlloc;
  v.state[S_T_FREE_TOP] = tAlloc;
  v.state[S_MAX_NAMES] = o.maxNames;
  v.state[S_MAX_WORKERS] = o.maxWorkers;
  v.state[S_IO_CAP] = o.ioCapacity;
  v.state[S_EXEC_ON_MASTER] = 1;
  return v;
}
