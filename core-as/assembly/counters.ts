// Progress counters per task name and per worker. Every change goes through
// `move`, which refuses to take a counter below zero, so
// total = init + pulled + running + success + failed holds at every moment.
import { NAME_FIELDS, WORKER_FIELDS, N_TOTAL, N_INIT, N_SUCCESS, N_FAILED, T_ILLEGAL, S_MAX_NAMES, S_MAX_WORKERS, IO_OUT } from "../shared/constants";
import { names, workers, refused, getS, lane } from "./arena";

// @ts-ignore: decorator
@inline export function nameCell(name: i32, field: i32): usize {
  return names + ((<usize>name * NAME_FIELDS + <usize>field) << 2);
}
// @ts-ignore: decorator
@inline export function workerCell(w: i32, field: i32): usize {
  return workers + ((<usize>w * WORKER_FIELDS + <usize>field) << 2);
}
// @ts-ignore: decorator
@inline export function bump(p: usize, d: i32): void { store<i32>(p, load<i32>(p) + d); }

/** Counts one refused transition under outcome `code`. */
// @ts-ignore: decorator
@inline export function refuse(code: i32): void { bump(refused + (<usize>code << 2), 1); }

/**
 * Adds new INIT tasks: for i < n, name lane0[i] gains lane1[i] to total and init.
 * Returns how many items applied (an out-of-range name or negative count is refused).
 */
export function countersAdd(n: i32): i32 {
  const maxNames = getS(S_MAX_NAMES);
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const name = load<i32>(lane(0, i));
    const c = load<i32>(lane(1, i));
    if (<u32>name >= <u32>maxNames || c < 0) { refuse(T_ILLEGAL); store<i32>(lane(IO_OUT, i), T_ILLEGAL); continue; }
    bump(nameCell(name, N_TOTAL), c);
    bump(nameCell(name, N_INIT), c);
    store<i32>(lane(IO_OUT, i), 0);
    ok++;
  }
  return ok;
}

/**
 * Finishes `count` INIT tasks of name `name` that the task table does not
 * hold (rows still waiting in the store): INIT → SUCCESS or FAILED. Used to
 * kill an instance and to rebuild counters from the store. Refused (returns
 * 0) for any other transition or when it would take init below zero.
 */
export function countersMove(name: i32, from: i32, to: i32, count: i32): i32 {
  if (<u32>name >= <u32>getS(S_MAX_NAMES) || from != N_INIT || (to != N_SUCCESS && to != N_FAILED) || count < 0) {
    refuse(T_ILLEGAL);
    return 0;
  }
  const pf = nameCell(name, from);
  if (load<i32>(pf) < count) { refuse(T_ILLEGAL); return 0; }
  store<i32>(pf, load<i32>(pf) - count);
  bump(nameCell(name, to), count);
  return 1;
}

/** Zeroes every name and worker counter (a new cycle of a recurring job). */
export function countersReset(): void {
  memory.fill(names, 0, <usize>getS(S_MAX_NAMES) * NAME_FIELDS * 4);
  memory.fill(workers, 0, (<usize>getS(S_MAX_WORKERS) * WORKER_FIELDS) << 2);
}
