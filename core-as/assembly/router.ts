// Worker routing over the worker table (B5-B7). The host writes the
// table (alive, invalid, isMaster, freeSlots, cpuFree, memFree, latency)
// through typed-array views; `route` picks a worker per task.
import {
  ROUTE_NONE, ROUTE_WORKER_LOAD, IO_OUT, S_W_COUNT, S_RR_INDEX, S_EXEC_ON_MASTER, S_ROUTE_MODE,
} from "../shared/constants";
import { wAlive, wInvalid, wMaster, wSlots, wCpu, wMem, wLatency, scratch, getS, setS, lane } from "./arena";

// @ts-ignore: decorator
@inline function flag(base: usize, i: i32): bool { return load<u8>(base + <usize>i) != 0; }

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
  // Census of valid and answered workers, eight at a time: a byte-wise
  // "non-zero" test on 64-bit words, then popcnt (the same counts as a byte loop).
  const invalid = wInvalid, alive = wAlive;
  let i = 0, bad: i64 = 0, answered: i64 = 0;
  for (; i + 8 <= count; i += 8) {
    const ni = nonZero(load<u64>(invalid + <usize>i));
    bad += popcnt(ni);
    answered += popcnt(nonZero(load<u64>(alive + <usize>i)) & ~ni);
  }
  let valid = i - <i32>bad;
  for (; i < count; i++) {
    if (flag(invalid, i)) continue;
    valid++;
    if (flag(alive, i)) answered++;
  }
  // B5: the master's own worker is skipped only while another worker exists.
  const skipMaster = getS(S_EXEC_ON_MASTER) == 0 && valid > 1;
  // B6 restricts to workers that have answered, among those that may take the task: a master's
  // own worker that routing skips does not count, else nothing could take it.
  if (redispatch != 0 && skipMaster) {
    for (let j = 0; j < count; j++) if (!flag(invalid, j) && flag(alive, j) && flag(wMaster, j)) answered--;
  }
  const onlyAlive = redispatch != 0 && answered > 0;
  if (getS(S_ROUTE_MODE) == ROUTE_WORKER_LOAD) return routeLoad(n, count, skipMaster, onlyAlive);
  return routeRoundRobin(n, count, skipMaster, onlyAlive);
}

/** 0x80 in every byte of `x` that is not zero, 0 elsewhere. */
// @ts-ignore: decorator
@inline function nonZero(x: u64): u64 {
  return (((x & 0x7f7f7f7f7f7f7f7f) + 0x7f7f7f7f7f7f7f7f) | x) & 0x8080808080808080;
}

function routeRoundRobin(n: i32, count: i32, skipMaster: bool, onlyAlive: bool): i32 {
  if (count == 0) return 0;
  const start = getS(S_RR_INDEX) < count ? getS(S_RR_INDEX) : 0;
  const invalid = wInvalid, master = wMaster, alive = wAlive, out = lane(IO_OUT, 0);
  // One scan along the rotation from `start`: each eligible worker met takes
  // the next task. Eligibility does not change during a call, so "no worker
  // in `count` probes" can only happen before the first hit, and means none
  // is eligible. These are the probes of "try up to `count` workers per
  // task", in the same order and ending at the same index. Eight workers are
  // tested at once: the rules of eligible() on 64-bit words (the flag arenas
  // have 8 bytes of padding, and bytes past the table's end are masked off),
  // then one ctz per eligible worker.
  const skipBits: u64 = skipMaster ? 0x8080808080808080 : 0, aliveBits: u64 = onlyAlive ? 0x8080808080808080 : 0;
  let k = 0, i = start, probed = 0;
  while (k < n) {
    let hits = ~(nonZero(load<u64>(invalid + <usize>i)) | (nonZero(load<u64>(master + <usize>i)) & skipBits)
      | (~nonZero(load<u64>(alive + <usize>i)) & aliveBits)) & 0x8080808080808080;
    let span = count - i;
    if (span < 8) hits &= (<u64>1 << (<u64>span << 3)) - 1;
    else span = 8;
    while (hits != 0) {
      const w = i + <i32>(ctz(hits) >> 3);
      store<i32>(out + (<usize>k << 2), w);
      k++;
      if (k == n) { span = w + 1 - i; break; }
      hits &= hits - 1;
    }
    i += span;
    if (i == count) i = 0;
    probed += span;
    if (k == 0 && probed >= count) { i = start; break; } // a full turn, nobody eligible: back at `start`
  }
  setS(S_RR_INDEX, i);
  return k;
}

/** True when worker a ranks before worker b: slots, CPU, memory desc; latency asc; index. */
// @ts-ignore: decorator
@inline function better(a: i32, b: i32, sl: usize, cpu: usize, mem: usize, lat: usize): bool {
  const oa = <usize>a << 2, ob = <usize>b << 2;
  const sa = load<i32>(sl + oa), sb = load<i32>(sl + ob);
  if (sa != sb) return sa > sb;
  const ca = load<f32>(cpu + oa), cb = load<f32>(cpu + ob);
  if (ca != cb) return ca > cb;
  const ma = load<f32>(mem + oa), mb = load<f32>(mem + ob);
  if (ma != mb) return ma > mb;
  const la = load<f32>(lat + oa), lb = load<f32>(lat + ob);
  if (la != lb) return la < lb;
  return a < b;
}

/** Restores the heap below position `i` (the heap is `size` worker indices at `heap`). */
function siftDown(i: i32, size: i32): void {
  const heap = scratch, sl = wSlots, cpu = wCpu, mem = wMem, lat = wLatency;
  const v = load<i32>(heap + (<usize>i << 2));
  while (true) {
    const l = 2 * i + 1;
    if (l >= size) break;
    let c = l;
    let cv = load<i32>(heap + (<usize>l << 2));
    const r = l + 1;
    if (r < size) {
      const rv = load<i32>(heap + (<usize>r << 2));
      if (better(rv, cv, sl, cpu, mem, lat)) { c = r; cv = rv; }
    }
    if (!better(cv, v, sl, cpu, mem, lat)) break;
    store<i32>(heap + (<usize>i << 2), cv);
    i = c;
  }
  store<i32>(heap + (<usize>i << 2), v);
}

function routeLoad(n: i32, count: i32, skipMaster: bool, onlyAlive: bool): i32 {
  // A max-heap of eligible workers with a free slot; each task takes a slot
  // from the top worker, which then sinks to its new rank.
  const heap = scratch, sl = wSlots, out = lane(IO_OUT, 0);
  let size = 0;
  for (let i = 0; i < count; i++) {
    if (eligible(i, skipMaster, onlyAlive) && load<i32>(sl + (<usize>i << 2)) > 0) {
      store<i32>(heap + (<usize>size << 2), i);
      size++;
    }
  }
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i, size);
  let k = 0;
  for (; k < n && size > 0; k++) {
    const top = load<i32>(heap);
    store<i32>(out + (<usize>k << 2), top);
    const p = sl + (<usize>top << 2);
    const left = load<i32>(p) - 1;
    store<i32>(p, left);
    if (left == 0) {
      size--;
      store<i32>(heap, load<i32>(heap + (<usize>size << 2)));
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
