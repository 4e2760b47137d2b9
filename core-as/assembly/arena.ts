// Arenas allocated by `init`. The worker table, counters and I/O lanes are
// fixed; the queue ring and the task table start small and grow in doubling
// steps up to their capacity as they fill (`growQueue`, `growTable`), so a
// large `queueSize` costs memory only when it is used. Growth reallocates
// through the runtime's TLSF allocator (the `minimal` runtime: the old block
// is freed), and the whole linear memory goes with the core's instance.
import {
  STATE_WORDS, HEADER_WORDS, IO_LANES, NAME_FIELDS, WORKER_FIELDS, T_CODES, LIMITER_WORDS,
  H_STATE, H_IO, H_QUEUE, H_T_STATUS, H_T_NAME, H_T_WORKER, H_T_ATTEMPT, H_T_GEN, H_T_FREE,
  H_NAMES, H_WORKERS, H_REFUSED, H_W_ALIVE, H_W_INVALID, H_W_MASTER, H_W_SLOTS, H_W_CPU,
  H_W_MEM, H_W_LATENCY, H_SCRATCH, H_LIMITER,
  S_Q_CAP, S_T_CAP, S_T_FREE_TOP, S_MAX_NAMES, S_MAX_WORKERS, S_IO_CAP, S_EXEC_ON_MASTER,
  S_Q_ALLOC, S_T_ALLOC, S_Q_HEAD, S_Q_SIZE,
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

/**
 * Allocates every arena and returns the address of the layout header. The
 * queue and the task table get min(capacity, `initialCap`) slots to start.
 */
export function init(queueCap: i32, tableCap: i32, maxNames: i32, maxWorkers: i32, ioCapacity: i32, initialCap: i32): usize {
  const qAlloc = queueCap < initialCap ? queueCap : initialCap;
  const tAlloc = tableCap < initialCap ? tableCap : initialCap;
  header = zeroed(<usize>HEADER_WORDS << 2);
  state = put(H_STATE, zeroed(<usize>STATE_WORDS << 2));
  ioCap = ioCapacity;
  io = put(H_IO, zeroed(<usize>ioCapacity * IO_LANES * 4));
  queue = put(H_QUEUE, zeroed(<usize>qAlloc << 2));
  tStatus = put(H_T_STATUS, zeroed(<usize>tAlloc));
  tName = put(H_T_NAME, zeroed(<usize>tAlloc << 2));
  tWorker = put(H_T_WORKER, zeroed(<usize>tAlloc << 2));
  tAttempt = put(H_T_ATTEMPT, zeroed(<usize>tAlloc << 2));
  tGen = put(H_T_GEN, zeroed(<usize>tAlloc << 2));
  tFree = put(H_T_FREE, zeroed(<usize>tAlloc << 2));
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
  for (let i = 0; i < tAlloc; i++) store<i32>(tFree + (<usize>i << 2), tAlloc - 1 - i);
  setS(S_Q_CAP, queueCap);
  setS(S_Q_ALLOC, qAlloc);
  setS(S_T_CAP, tableCap);
  setS(S_T_ALLOC, tAlloc);
  setS(S_T_FREE_TOP, tAlloc);
  setS(S_MAX_NAMES, maxNames);
  setS(S_MAX_WORKERS, maxWorkers);
  setS(S_IO_CAP, ioCapacity);
  setS(S_EXEC_ON_MASTER, 1);
  return header;
}

/** The allocation after `have` on the way to `cap` that holds `need`: doubling steps, `cap` at most. */
function stepTo(have: i32, need: i32, cap: i32): i32 {
  let n = have;
  while (n < need && n < cap) n = n > (cap >> 1) ? cap : n << 1;
  return n;
}

/** Reallocates an arena of `have` items of 1 << `shift` bytes to `next` items, the new ones zeroed. */
function regrow(p: usize, have: i32, next: i32, shift: i32): usize {
  const q = heap.realloc(p, <usize>next << shift);
  memory.fill(q + (<usize>have << shift), 0, <usize>(next - have) << shift);
  return q;
}

/**
 * Grows the queue ring so it holds `need` handles (up to its capacity). A
 * wrapped ring's head part moves to the new end, so the order is kept.
 */
export function growQueue(need: i32): void {
  const have = getS(S_Q_ALLOC);
  const next = stepTo(have, need, getS(S_Q_CAP));
  if (next == have) return;
  queue = put(H_QUEUE, regrow(queue, have, next, 2));
  const head = getS(S_Q_HEAD), size = getS(S_Q_SIZE);
  if (head + size > have) {
    const part = have - head, to = next - part;
    memory.copy(queue + (<usize>to << 2), queue + (<usize>head << 2), <usize>part << 2);
    setS(S_Q_HEAD, to);
  }
  setS(S_Q_ALLOC, next);
}

/**
 * Grows the task table so `need` more tasks fit (up to its capacity). The new
 * slots go under the free ones, lowest nearest the top, so handles come out
 * exactly as from a table allocated whole.
 */
export function growTable(need: i32): void {
  const have = getS(S_T_ALLOC), top = getS(S_T_FREE_TOP);
  const next = stepTo(have, have - top + need, getS(S_T_CAP));
  if (next == have) return;
  tStatus = put(H_T_STATUS, regrow(tStatus, have, next, 0));
  tName = put(H_T_NAME, regrow(tName, have, next, 2));
  tWorker = put(H_T_WORKER, regrow(tWorker, have, next, 2));
  tAttempt = put(H_T_ATTEMPT, regrow(tAttempt, have, next, 2));
  tGen = put(H_T_GEN, regrow(tGen, have, next, 2));
  tFree = put(H_T_FREE, regrow(tFree, have, next, 2));
  const add = next - have;
  memory.copy(tFree + (<usize>add << 2), tFree, <usize>top << 2);
  for (let i = 0; i < add; i++) store<i32>(tFree + (<usize>i << 2), next - 1 - i);
  setS(S_T_FREE_TOP, top + add);
  setS(S_T_ALLOC, next);
}

/** Address of I/O lane `lane`, item `i`. */
// @ts-ignore: decorator
@inline export function lane(l: i32, i: i32): usize {
  return io + ((<usize>l * <usize>ioCap + <usize>i) << 2);
}
