// Per-task state table keyed by handle. It holds live tasks only (INIT,
// PULLED, RUNNING); a finished task frees its slot and bumps the slot's
// generation, so a late report carrying the old handle is refused as stale
// and cannot touch the next occupant. Every transition moves the counters.
import {
  FREE, INIT, PULLED, RUNNING, SUCCESS, FAILED, W_TOTAL, T_OK, T_STALE, T_WRONG_ATTEMPT,
  T_WRONG_WORKER, T_ILLEGAL, SLOT_BITS, SLOT_MASK, GEN_LIMIT, IO_OUT,
  S_T_CAP, S_T_LIVE, S_T_FREE_TOP, S_CURSOR, S_MAX_WORKERS,
} from "../shared/constants";
import { tStatus, tName, tWorker, tAttempt, tGen, tFree, getS, setS, lane } from "./arena";
import { nameCell, workerCell, bump, refuse } from "./counters";

// @ts-ignore: decorator
@inline function i32At(base: usize, i: i32): usize { return base + (<usize>i << 2); }

/** Slot of a live handle, or -1. */
function resolve(h: u32): i32 {
  const slot = <i32>(h & SLOT_MASK);
  if (slot >= getS(S_T_CAP)) return -1;
  if (load<u8>(tStatus + <usize>slot) == FREE) return -1;
  if (<u32>load<i32>(i32At(tGen, slot)) != (h >>> SLOT_BITS)) return -1;
  return slot;
}

function release(slot: i32): void {
  store<u8>(tStatus + <usize>slot, FREE);
  const g = load<i32>(i32At(tGen, slot)) + 1;
  store<i32>(i32At(tGen, slot), g >= GEN_LIMIT ? 0 : g);
  const top = getS(S_T_FREE_TOP);
  store<i32>(i32At(tFree, top), slot);
  setS(S_T_FREE_TOP, top + 1);
  setS(S_T_LIVE, getS(S_T_LIVE) - 1);
}

/** Moves a live slot from its status to `to`, with its name and worker counters. */
function apply(slot: i32, to: i32): void {
  const from = <i32>load<u8>(tStatus + <usize>slot);
  const name = load<i32>(i32At(tName, slot));
  bump(nameCell(name, from), -1);
  bump(nameCell(name, to), 1);
  const w = load<i32>(i32At(tWorker, slot));
  if (w >= 0) {
    // Worker fields are status - 1; a task enters a worker's total on leaving
    // INIT and leaves it on going back to INIT (failover).
    if (from == INIT) bump(workerCell(w, W_TOTAL), 1);
    else bump(workerCell(w, from - 1), -1);
    if (to == INIT) bump(workerCell(w, W_TOTAL), -1);
    else bump(workerCell(w, to - 1), 1);
  }
  if (to == SUCCESS || to == FAILED) release(slot);
  else store<u8>(tStatus + <usize>slot, <u8>to);
}

/**
 * Admits `n` INIT tasks already counted (name lane0, attempt lane1); writes
 * their handles to the output lane. Returns how many fit in the table.
 */
export function tableAdmit(n: i32): i32 {
  let top = getS(S_T_FREE_TOP);
  const k = n < top ? n : top;
  for (let i = 0; i < k; i++) {
    top--;
    const slot = load<i32>(i32At(tFree, top));
    store<u8>(tStatus + <usize>slot, <u8>INIT);
    store<i32>(i32At(tName, slot), load<i32>(lane(0, i)));
    store<i32>(i32At(tAttempt, slot), load<i32>(lane(1, i)));
    store<i32>(i32At(tWorker, slot), -1);
    store<u32>(lane(IO_OUT, i), (<u32>load<i32>(i32At(tGen, slot)) << SLOT_BITS) | <u32>slot);
  }
  setS(S_T_FREE_TOP, top);
  setS(S_T_LIVE, getS(S_T_LIVE) + k);
  return k;
}

/** INIT → PULLED for handles lane0 on workers lane1; outcome per item in the output lane. */
export function tableAssign(n: i32): i32 {
  const maxWorkers = getS(S_MAX_WORKERS);
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const slot = resolve(load<u32>(lane(0, i)));
    let code = T_OK;
    const w = load<i32>(lane(1, i));
    if (slot < 0) code = T_STALE;
    else if (load<u8>(tStatus + <usize>slot) != INIT || <u32>w >= <u32>maxWorkers) code = T_ILLEGAL;
    if (code != T_OK) { refuse(code); store<i32>(lane(IO_OUT, i), code); continue; }
    store<i32>(i32At(tWorker, slot), w);
    store<i32>(lane(IO_OUT, i), T_OK);
    apply(slot, PULLED);
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
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const slot = resolve(load<u32>(lane(0, i)));
    let code = T_OK;
    const to = load<i32>(lane(3, i));
    if (slot < 0) code = T_STALE;
    else if (load<i32>(i32At(tAttempt, slot)) != load<i32>(lane(1, i))) code = T_WRONG_ATTEMPT;
    else if (load<i32>(i32At(tWorker, slot)) != load<i32>(lane(2, i))) code = T_WRONG_WORKER;
    else {
      const from = <i32>load<u8>(tStatus + <usize>slot);
      const legal = to == RUNNING ? from == PULLED : (to == SUCCESS || to == FAILED) && (from == PULLED || from == RUNNING);
      if (!legal) code = T_ILLEGAL;
    }
    store<i32>(lane(IO_OUT, i), code);
    if (code != T_OK) { refuse(code); continue; }
    apply(slot, to);
    ok++;
  }
  return ok;
}

/** PULLED/RUNNING → INIT with attempt + 1 (failover) for handles lane0. */
export function tableRequeue(n: i32): i32 {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const slot = resolve(load<u32>(lane(0, i)));
    let code = T_OK;
    if (slot < 0) code = T_STALE;
    else {
      const from = load<u8>(tStatus + <usize>slot);
      if (from != PULLED && from != RUNNING) code = T_ILLEGAL;
    }
    store<i32>(lane(IO_OUT, i), code);
    if (code != T_OK) { refuse(code); continue; }
    apply(slot, INIT);
    store<i32>(i32At(tWorker, slot), -1);
    bump(i32At(tAttempt, slot), 1);
    ok++;
  }
  return ok;
}

/** Any live status → FAILED (kill, rejection, failover off) for handles lane0. */
export function tableFail(n: i32): i32 {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const slot = resolve(load<u32>(lane(0, i)));
    if (slot < 0) { refuse(T_STALE); store<i32>(lane(IO_OUT, i), T_STALE); continue; }
    store<i32>(lane(IO_OUT, i), T_OK);
    apply(slot, FAILED);
    ok++;
  }
  return ok;
}

/**
 * Lists live handles from slot `from` on into the output lane, at most `max`:
 * those on worker `worker` in PULLED or RUNNING, or every live one when
 * `worker` is -1. Sets S_CURSOR to the slot to continue from (capacity = done).
 */
export function tableScan(worker: i32, from: i32, max: i32): i32 {
  const cap = getS(S_T_CAP);
  let k = 0;
  let s = from < 0 ? 0 : from;
  for (; s < cap && k < max; s++) {
    const st = load<u8>(tStatus + <usize>s);
    if (st == FREE) continue;
    if (worker >= 0 && (st == INIT || load<i32>(i32At(tWorker, s)) != worker)) continue;
    store<u32>(lane(IO_OUT, k), (<u32>load<i32>(i32At(tGen, s)) << SLOT_BITS) | <u32>s);
    k++;
  }
  setS(S_CURSOR, s);
  return k;
}
