import {
  STATE_WORDS, NAME_FIELDS, WORKER_FIELDS, T_CODES, LIMITER_WORDS, H_STATE, H_QUEUE, H_T_STATUS,
  H_T_NAME, H_T_WORKER, H_T_ATTEMPT, H_T_GEN, H_T_FREE, H_NAMES, H_WORKERS, H_REFUSED, H_W_ALIVE,
  H_W_INVALID, H_W_MASTER, H_W_SLOTS, H_W_CPU, H_W_MEM, H_W_LATENCY, H_SCRATCH, H_LIMITER,
  S_Q_CAP, S_T_CAP, S_T_FREE_TOP, S_MAX_NAMES, S_MAX_WORKERS, S_IO_CAP, S_EXEC_ON_MASTER,
} from "../../core-as/shared/constants.ts";
import type { ResolvedCoreOptions } from "./options.ts";

/**
 * Typed-array views of one core's arenas. The WASM engine builds them over
 * its linear memory (offsets from the layout header `init` returns); the
 * twin allocates the same arrays itself. Either way the layout is the same.
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

/** Views over WASM memory, at the offsets of the layout header at `headerPtr`. */
export function viewsFromHeader(buffer: ArrayBuffer, headerPtr: number, o: ResolvedCoreOptions): CoreViews {
  const h = new Int32Array(buffer, headerPtr, H_LIMITER + 1);
  const at = h.slice();
  return {
    state: new Int32Array(buffer, at[H_STATE], STATE_WORDS),
    queue: new Uint32Array(buffer, at[H_QUEUE], o.queueCapacity),
    tStatus: new Uint8Array(buffer, at[H_T_STATUS], o.tableCapacity),
    tName: new Int32Array(buffer, at[H_T_NAME], o.tableCapacity),
    tWorker: new Int32Array(buffer, at[H_T_WORKER], o.tableCapacity),
    tAttempt: new Int32Array(buffer, at[H_T_ATTEMPT], o.tableCapacity),
    tGen: new Int32Array(buffer, at[H_T_GEN], o.tableCapacity),
    tFree: new Int32Array(buffer, at[H_T_FREE], o.tableCapacity),
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
  const v: CoreViews = {
    state: new Int32Array(STATE_WORDS),
    queue: new Uint32Array(o.queueCapacity),
    tStatus: new Uint8Array(o.tableCapacity),
    tName: new Int32Array(o.tableCapacity),
    tWorker: new Int32Array(o.tableCapacity),
    tAttempt: new Int32Array(o.tableCapacity),
    tGen: new Int32Array(o.tableCapacity),
    tFree: new Int32Array(o.tableCapacity),
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
  for (let i = 0; i < o.tableCapacity; i++) v.tFree[i] = o.tableCapacity - 1 - i;
  v.state[S_Q_CAP] = o.queueCapacity;
  v.state[S_T_CAP] = o.tableCapacity;
  v.state[S_T_FREE_TOP] = o.tableCapacity;
  v.state[S_MAX_NAMES] = o.maxNames;
  v.state[S_MAX_WORKERS] = o.maxWorkers;
  v.state[S_IO_CAP] = o.ioCapacity;
  v.state[S_EXEC_ON_MASTER] = 1;
  return v;
}
