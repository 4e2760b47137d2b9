// Worker routing over the worker table (SPEC B5-B7). The host writes the
// table (alive, invalid, isMaster, freeSlots, cpuFree, memFree, latency)
// through typed-array views; `route` picks a worker per task.
import {
  ROUTE_NONE, ROUTE_WORKER_LOAD, IO_OUT, S_W_COUNT, S_RR_INDEX, S_EXEC_ON_MASTER, S_ROUTE_MODE,
} from "../shared/constants";
import { wAlive, wInvalid, wMaster, wSlots, wCpu, wMem, wLatency, scratch, getS, setS, lane } from "./arena";

// @ts-ignore: decorator
@inline function flag(base: usize, i: i32): bool { return load<u8>(base + <usize>i) != 0; }
// @ts-ignore: decorator
@inline function slots(i: i32): i32 { return load<i32>(wSlots + (<usize>i << 2)); }

/** Whether worker `i` may take a task under the master-skip and failover rules. */
function eligible(i: i32, skipMaster: bool, onlyAlive: bool): bool {
  if (flag(wInvalid, i)) return false;
  if (skipMaster && flag(wMaster, i)) return false;
  if (onlyAlive && !flag(wAlive, i)) return false;
  return true;
}

/**
 * Routes `n` tasks; writes a worker index per task to the output lane and
 * returns how many were routed (it stops at the first task no worker can take).
 * `redispatch` restricts to workers that have answered (B6) when any has.
 */
export function route(n: i32, redispatch: i32): i32 {
  const count = getS(S_W_COUNT);
  let valid = 0;
  let answered = 0;
  for (let i = 0; i < count; i++) {
    if (flag(wInvalid, i)) continue;
    valid++;
    if (flag(wAlive, i)) answered++;
  }
  // B5: the master's own worker is skipped only while another worker exists.
  const skipMaster = getS(S_EXEC_ON_MASTER) == 0 && valid > 1;
  const onlyAlive = redispatch != 0 && answered > 0;
  if (getS(S_ROUTE_MODE) == ROUTE_WORKER_LOAD) return routeLoad(n, count, skipMaster, onlyAlive);
  return routeRoundRobin(n, count, skipMaster, onlyAlive);
}

function routeRoundRobin(n: i32, count: i32, skipMaster: bool, onlyAlive: bool): i32 {
  if (count == 0) return 0;
  let idx = getS(S_RR_INDEX);
  if (idx >= count) idx = 0;
  let k = 0;
  for (; k < n; k++) {
    let found = ROUTE_NONE;
    for (let t = 0; t < count; t++) {
      const i = idx;
      idx++;
      if (idx == count) idx = 0;
      if (eligible(i, skipMaster, onlyAlive)) { found = i; break; }
    }
    if (found == ROUTE_NONE) break; // one full turn and no valid worker
    store<i32>(lane(IO_OUT, k), found);
  }
  setS(S_RR_INDEX, idx);
  return k;
}

/** True when worker a ranks before worker b: slots, CPU, memory desc; latency asc; index. */
function better(a: i32, b: i32): bool {
  const sa = slots(a), sb = slots(b);
  if (sa != sb) return sa > sb;
  const ca = load<f32>(wCpu + (<usize>a << 2)), cb = load<f32>(wCpu + (<usize>b << 2));
  if (ca != cb) return ca > cb;
  const ma = load<f32>(wMem + (<usize>a << 2)), mb = load<f32>(wMem + (<usize>b << 2));
  if (ma != mb) return ma > mb;
  const la = load<f32>(wLatency + (<usize>a << 2)), lb = load<f32>(wLatency + (<usize>b << 2));
  if (la != lb) return la < lb;
  return a < b;
}

// @ts-ignore: decorator
@inline function heapAt(i: i32): i32 { return load<i32>(scratch + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function heapPut(i: i32, v: i32): void { store<i32>(scratch + (<usize>i << 2), v); }

function siftDown(i: i32, size: i32): void {
  const v = heapAt(i);
  while (true) {
    const l = 2 * i + 1;
    if (l >= size) break;
    let c = l;
    const r = l + 1;
    if (r < size && better(heapAt(r), heapAt(l))) c = r;
    const cv = heapAt(c);
    if (!better(cv, v)) break;
    heapPut(i, cv);
    i = c;
  }
  heapPut(i, v);
}

function routeLoad(n: i32, count: i32, skipMaster: bool, onlyAlive: bool): i32 {
  // A max-heap of eligible workers with a free slot; each task takes a slot
  // from the top worker, which then sinks to its new rank.
  let size = 0;
  for (let i = 0; i < count; i++) {
    if (eligible(i, skipMaster, onlyAlive) && slots(i) > 0) { heapPut(size, i); size++; }
  }
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i, size);
  let k = 0;
  for (; k < n && size > 0; k++) {
    const top = heapAt(0);
    store<i32>(lane(IO_OUT, k), top);
    const left = slots(top) - 1;
    store<i32>(wSlots + (<usize>top << 2), left);
    if (left == 0) {
      size--;
      heapPut(0, heapAt(size));
    }
    if (size > 0) siftDown(0, size);
  }
  return k;
}

/** Sets the routing mode, the master skip rule and an optional start index (B5 random start). */
export function routerConfigure(mode: i32, execOnMaster: i32, startIndex: i32): void {
  setS(S_ROUTE_MODE, mode);
  setS(S_EXEC_ON_MASTER, execOnMaster);
  setS(S_RR_INDEX, startIndex < 0 ? 0 : startIndex);
}
