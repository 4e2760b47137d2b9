// Fixed arenas, allocated once by `init`: the `stub` runtime never frees, so
// nothing in the core allocates after creation.
import {
  STATE_WORDS, HEADER_WORDS, IO_LANES, NAME_FIELDS, WORKER_FIELDS, T_CODES, LIMITER_WORDS,
  H_STATE, H_IO, H_QUEUE, H_T_STATUS, H_T_NAME, H_T_WORKER, H_T_ATTEMPT, H_T_GEN, H_T_FREE,
  H_NAMES, H_WORKERS, H_REFUSED, H_W_ALIVE, H_W_INVALID, H_W_MASTER, H_W_SLOTS, H_W_CPU,
  H_W_MEM, H_W_LATENCY, H_SCRATCH, H_LIMITER,
  S_Q_CAP, S_T_CAP, S_T_FREE_TOP, S_MAX_NAMES, S_MAX_WORKERS, S_IO_CAP, S_EXEC_ON_MASTER,
} from "../shared/constants";

export let header: usize = 0;
export let state: usize = 0;
export let io: usize = 0;
export let ioCap: i32 = 0;
export let queue: usize = 0;
export let tStatus: usize = 0;
export let tName: usize = 0;
export let tWorker: usize = 0;
export let tAttempt: usize = 0;
export let tGen: usize = 0;
export let tFree: usize = 0;
export let names: usize = 0;
export let workers: usize = 0;
export let refused: usize = 0;
export let wAlive: usize = 0;
export let wInvalid: usize = 0;
export let wMaster: usize = 0;
export let wSlots: usize = 0;
export let wCpu: usize = 0;
export let wMem: usize = 0;
export let wLatency: usize = 0;
export let scratch: usize = 0;
export let limiter: usize = 0;

/** Reads a word of the scalar state block. */
// @ts-ignore: decorator
@inline export function getS(i: i32): i32 { return load<i32>(state + (<usize>i << 2)); }
/** Writes a word of the scalar state block. */
// @ts-ignore: decorator
@inline export function setS(i: i32, v: i32): void { store<i32>(state + (<usize>i << 2), v); }

function zeroed(bytes: usize): usize {
  const p = heap.alloc(bytes < 8 ? 8 : bytes);
  memory.fill(p, 0, bytes);
  return p;
}

function put(h: i32, p: usize): usize {
  store<i32>(header + (<usize>h << 2), <i32>p);
  return p;
}

/** Allocates every arena once and returns the address of the layout header. */
export function init(queueCap: i32, tableCap: i32, maxNames: i32, maxWorkers: i32, ioCapacity: i32): usize {
  header = zeroed(<usize>HEADER_WORDS << 2);
  state = put(H_STATE, zeroed(<usize>STATE_WORDS << 2));
  ioCap = ioCapacity;
  io = put(H_IO, zeroed(<usize>ioCapacity * IO_LANES * 4));
  queue = put(H_QUEUE, zeroed(<usize>queueCap << 2));
  tStatus = put(H_T_STATUS, zeroed(<usize>tableCap));
  tName = put(H_T_NAME, zeroed(<usize>tableCap << 2));
  tWorker = put(H_T_WORKER, zeroed(<usize>tableCap << 2));
  tAttempt = put(H_T_ATTEMPT, zeroed(<usize>tableCap << 2));
  tGen = put(H_T_GEN, zeroed(<usize>tableCap << 2));
  tFree = put(H_T_FREE, zeroed(<usize>tableCap << 2));
  names = put(H_NAMES, zeroed(<usize>maxNames * NAME_FIELDS * 4));
  workers = put(H_WORKERS, zeroed(<usize>maxWorkers * WORKER_FIELDS * 4));
  refused = put(H_REFUSED, zeroed(<usize>T_CODES << 2));
  // Flag bytes get 8 bytes of padding: routing reads them as 64-bit words.
  wAlive = put(H_W_ALIVE, zeroed(<usize>maxWorkers + 8));
  wInvalid = put(H_W_INVALID, zeroed(<usize>maxWorkers + 8));
  wMaster = put(H_W_MASTER, zeroed(<usize>maxWorkers + 8));
  wSlots = put(H_W_SLOTS, zeroed(<usize>maxWorkers << 2));
  wCpu = put(H_W_CPU, zeroed(<usize>maxWorkers << 2));
  wMem = put(H_W_MEM, zeroed(<usize>maxWorkers << 2));
  wLatency = put(H_W_LATENCY, zeroed(<usize>maxWorkers << 2));
  scratch = put(H_SCRATCH, zeroed(<usize>maxWorkers << 2));
  limiter = put(H_LIMITER, zeroed(<usize>LIMITER_WORDS << 3));

  // Free-slot stack: popping yields slot 0 first, then 1, ...
  for (let i = 0; i < tableCap; i++) store<i32>(tFree + (<usize>i << 2), tableCap - 1 - i);
  setS(S_Q_CAP, queueCap);
  setS(S_T_CAP, tableCap);
  setS(S_T_FREE_TOP, tableCap);
  setS(S_MAX_NAMES, maxNames);
  setS(S_MAX_WORKERS, maxWorkers);
  setS(S_IO_CAP, ioCapacity);
  setS(S_EXEC_ON_MASTER, 1);
  return header;
}

/** Address of I/O lane `lane`, item `i`. */
// @ts-ignore: decorator
@inline export function lane(l: i32, i: i32): usize {
  return io + ((<usize>l * <usize>ioCap + <usize>i) << 2);
}
