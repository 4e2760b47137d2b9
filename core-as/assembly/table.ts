// Per-task state table keyed by handle. It holds live tasks only (INIT,
// PULLED, RUNNING); a finished task frees its slot and bumps the slot's
// generation, so a late report carrying the old handle is refused as stale
// and cannot touch the next occupant. Every transition moves the counters.
//
// Kernels keep the arena addresses and the free-stack top and live count in
// locals for the whole batch and write the two state words back once at the
// end: nothing reads them in between, and re-reading globals and the state
// block per item was a measurable share of a transition.
import {
  FREE, INIT, PULLED, RUNNING, SUCCESS, FAILED, NAME_FIELDS, WORKER_FIELDS, W_TOTAL, T_OK, T_STALE,
  T_WRONG_ATTEMPT, T_WRONG_WORKER, T_ILLEGAL, SLOT_BITS, SLOT_MASK, GEN_LIMIT, IO_OUT,
  S_T_ALLOC, S_T_LIVE, S_T_FREE_TOP, S_CURSOR, S_MAX_WORKERS,
} from "../shared/constants";
import { tStatus, tName, tWorker, tAttempt, tGen, tFree, names, workers, getS, setS, lane, growTable } from "./arena";
import { refuse } from "./counters";

/** Slot of a live handle, or -1. */
// @ts-ignore: decorator
@inline function resolve(h: u32, cap: u32, status: usize, gen: usize): i32 {
  const slot = h & SLOT_MASK;
  if (slot >= cap) return -1;
  if (load<u8>(status + <usize>slot) == FREE) return -1;
  if (load<u32>(gen + (<usize>slot << 2)) != (h >>> SLOT_BITS)) return -1;
  return <i32>slot;
}

// @ts-ignore: decorator
@inline function bump(p: usize, d: i32): void { store<i32>(p, load<i32>(p) + d); }

/**
 * Moves the counters of a task of name `name` on worker `w` (-1: none) from
 * status `from` to `to`. Worker fields are status - 1; a task enters a
 * worker's total on leaving INIT and leaves it on going back to INIT (failover).
 */
// @ts-ignore: decorator
@inline function count(name: i32, w: i32, from: i32, to: i32): void {
  const nb = names + ((<usize>name * NAME_FIELDS) << 2);
  bump(nb + (<usize>from << 2), -1);
  bump(nb + (<usize>to << 2), 1);
  if (w >= 0) {
    const wb = workers + ((<usize>w * WORKER_FIELDS) << 2);
    bump(wb + (<usize>(from == INIT ? W_TOTAL : from - 1) << 2), from == INIT ? 1 : -1);
    bump(wb + (<usize>(to == INIT ? W_TOTAL : to - 1) << 2), to == INIT ? -1 : 1);
  }
}

/** Frees a finished task's slot with a new generation; returns the new free-stack top. */
// @ts-ignore: decorator
@inline function release(slot: i32, top: i32): i32 {
  store<u8>(tStatus + <usize>slot, FREE);
  const gp = tGen + (<usize>slot << 2);
  const g = load<i32>(gp) + 1;
  store<i32>(gp, g >= GEN_LIMIT ? 0 : g);
  store<i32>(tFree + (<usize>top << 2), slot);
  return top + 1;
}

/**
 * Admits `n` INIT tasks already counted (name lane0, attempt lane1); writes
 * their handles to the output lane. Returns how many fit in the table.
 */
export function tableAdmit(n: i32): i32 {
  if (n > getS(S_T_FREE_TOP)) growTable(n);
  let top = getS(S_T_FREE_TOP);
  const k = n < top ? n : top;
  const inName = lane(0, 0), inAttempt = lane(1, 0), out = lane(IO_OUT, 0);
  const status = tStatus, name = tName, attempt = tAttempt, worker = tWorker, gen = tGen, free = tFree;
  for (let i = 0; i < k; i++) {
    top--;
    const slot = load<i32>(free + (<usize>top << 2));
    const o = <usize>i << 2, so = <usize>slot << 2;
    store<u8>(status + <usize>slot, <u8>INIT);
    store<i32>(name + so, load<i32>(inName + o));
    store<i32>(attempt + so, load<i32>(inAttempt + o));
    store<i32>(worker + so, -1);
    store<u32>(out + o, (load<u32>(gen + so) << SLOT_BITS) | <u32>slot);
  }
  setS(S_T_FREE_TOP, top);
  setS(S_T_LIVE, getS(S_T_LIVE) + k);
  return k;
}

/** INIT → PULLED for handles lane0 on workers lane1; outcome per item in the output lane. */
export function tableAssign(n: i32): i32 {
  const maxWorkers = <u32>getS(S_MAX_WORKERS), cap = <u32>getS(S_T_ALLOC);
  const inH = lane(0, 0), inW = lane(1, 0), out = lane(IO_OUT, 0);
  const status = tStatus, gen = tGen, worker = tWorker, name = tName;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const slot = resolve(load<u32>(inH + o), cap, status, gen);
    const w = load<i32>(inW + o);
    let code = T_OK;
    if (slot < 0) code = T_STALE;
    else if (load<u8>(status + <usize>slot) != INIT || <u32>w >= maxWorkers) code = T_ILLEGAL;
    store<i32>(out + o, code);
    if (code != T_OK) { refuse(code); continue; }
    const so = <usize>slot << 2;
    store<i32>(worker + so, w);
    count(load<i32>(name + so), w, INIT, PULLED);
    store<u8>(status + <usize>slot, <u8>PULLED);
    ok++;
  }
  return ok;
}

/**
 * Applies worker reports: handle lane0, attempt lane1, worker lane2, status
 * lane3 (RUNNING, SUCCESS or FAILED). A report for another attempt, another
 * worker, a finished task or an impossible transition is refused and counted.
 */
export function tableReport(n: i32): i32 {
  const cap = <u32>getS(S_T_ALLOC);
  const inH = lane(0, 0), inA = lane(1, 0), inW = lane(2, 0), inS = lane(3, 0), out = lane(IO_OUT, 0);
  const status = tStatus, gen = tGen, worker = tWorker, attempt = tAttempt, name = tName;
  let top = getS(S_T_FREE_TOP), freed = 0, ok = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const slot = resolve(load<u32>(inH + o), cap, status, gen);
    const to = load<i32>(inS + o);
    const so = <usize>slot << 2;
    let code = T_OK, from = 0, w = 0;
    if (slot < 0) code = T_STALE;
    else if (load<i32>(attempt + so) != load<i32>(inA + o)) code = T_WRONG_ATTEMPT;
    else if ((w = load<i32>(worker + so)) != load<i32>(inW + o)) code = T_WRONG_WORKER;
    else {
      from = <i32>load<u8>(status + <usize>slot);
      const legal = to == RUNNING ? from == PULLED : (to == SUCCESS || to == FAILED) && (from == PULLED || from == RUNNING);
      if (!legal) code = T_ILLEGAL;
    }
    store<i32>(out + o, code);
    if (code != T_OK) { refuse(code); continue; }
    count(load<i32>(name + so), w, from, to);
    if (to == RUNNING) store<u8>(status + <usize>slot, <u8>RUNNING);
    else { top = release(slot, top); freed++; }
    ok++;
  }
  setS(S_T_FREE_TOP, top);
  setS(S_T_LIVE, getS(S_T_LIVE) - freed);
  return ok;
}

/** PULLED/RUNNING → INIT with attempt + 1 (failover) for handles lane0. */
export function tableRequeue(n: i32): i32 {
  const cap = <u32>getS(S_T_ALLOC);
  const inH = lane(0, 0), out = lane(IO_OUT, 0);
  const status = tStatus, gen = tGen, worker = tWorker, attempt = tAttempt, name = tName;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const slot = resolve(load<u32>(inH + o), cap, status, gen);
    let code = T_OK, from = 0;
    if (slot < 0) code = T_STALE;
    else {
      from = <i32>load<u8>(status + <usize>slot);
      if (from != PULLED && from != RUNNING) code = T_ILLEGAL;
    }
    store<i32>(out + o, code);
    if (code != T_OK) { refuse(code); continue; }
    const so = <usize>slot << 2;
    count(load<i32>(name + so), load<i32>(worker + so), from, INIT);
    store<u8>(status + <usize>slot, <u8>INIT);
    store<i32>(worker + so, -1);
    store<i32>(attempt + so, load<i32>(attempt + so) + 1);
    ok++;
  }
  return ok;
}

/** Any live status → FAILED (kill, rejection, failover off) for handles lane0. */
export function tableFail(n: i32): i32 {
  const cap = <u32>getS(S_T_ALLOC);
  const inH = lane(0, 0), out = lane(IO_OUT, 0);
  const status = tStatus, gen = tGen, worker = tWorker, name = tName;
  let top = getS(S_T_FREE_TOP), ok = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const slot = resolve(load<u32>(inH + o), cap, status, gen);
    if (slot < 0) { refuse(T_STALE); store<i32>(out + o, T_STALE); continue; }
    store<i32>(out + o, T_OK);
    const so = <usize>slot << 2;
    count(load<i32>(name + so), load<i32>(worker + so), <i32>load<u8>(status + <usize>slot), FAILED);
    top = release(slot, top);
    ok++;
  }
  setS(S_T_FREE_TOP, top);
  setS(S_T_LIVE, getS(S_T_LIVE) - ok);
  return ok;
}

/**
 * Lists live handles from slot `from` on into the output lane, at most `max`:
 * those on worker `worker` in PULLED or RUNNING, or every live one when
 * `worker` is -1. Sets S_CURSOR to the slot to continue from (capacity = done).
 */
export function tableScan(worker: i32, from: i32, max: i32): i32 {
  const cap = getS(S_T_ALLOC);
  let k = 0;
  let s = from < 0 ? 0 : from;
  for (; s < cap && k < max; s++) {
    const st = load<u8>(tStatus + <usize>s);
    if (st == FREE) continue;
    if (worker >= 0 && (st == INIT || load<i32>(tWorker + (<usize>s << 2)) != worker)) continue;
    store<u32>(lane(IO_OUT, k), (load<u32>(tGen + (<usize>s << 2)) << SLOT_BITS) | <u32>s);
    k++;
  }
  setS(S_CURSOR, s);
  return k;
}
