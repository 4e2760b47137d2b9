// The twin's arena growth: the same steps and layout moves as the WASM
// core's `growQueue` / `growTable` (core-as/assembly/arena.ts), on fresh
// typed arrays, so both engines hold the same slots at every moment.
import { S_Q_CAP, S_Q_ALLOC, S_Q_HEAD, S_Q_SIZE, S_T_CAP, S_T_ALLOC, S_T_FREE_TOP } from "../../../core-as/shared/constants.ts";
import type { CoreViews } from "../views.ts";

/** The allocation after `have` on the way to `cap` that holds `need`: doubling steps, `cap` at most. */
export function stepTo(have: number, need: number, cap: number): number {
  let n = have;
  while (n < need && n < cap) n = n > cap >> 1 ? cap : n << 1;
  return n;
}

type Growable = Uint8Array | Int32Array | Uint32Array;

function regrow<T extends Growable>(a: T, next: number): T {
  const b = new (a.constructor as new (n: number) => T)(next);
  b.set(a);
  return b;
}

/** Grows the queue ring so it holds `need` handles; a wrapped ring's head part moves to the new end. */
export function growQueue(v: CoreViews, need: number): void {
  const s = v.state, have = s[S_Q_ALLOC]!;
  const next = stepTo(have, need, s[S_Q_CAP]!);
  if (next === have) return;
  const q = regrow(v.queue, next);
  const head = s[S_Q_HEAD]!, size = s[S_Q_SIZE]!;
  if (head + size > have) {
    const part = have - head, to = next - part;
    q.copyWithin(to, head, have);
    s[S_Q_HEAD] = to;
  }
  v.queue = q;
  s[S_Q_ALLOC] = next;
}

/** Grows the task table so `need` more tasks fit; new slots go under the free ones, lowest nearest the top. */
export function growTable(v: CoreViews, need: number): void {
  const s = v.state, have = s[S_T_ALLOC]!, top = s[S_T_FREE_TOP]!;
  const next = stepTo(have, have - top + need, s[S_T_CAP]!);
  if (next === have) return;
  v.tStatus = regrow(v.tStatus, next);
  v.tName = regrow(v.tName, next);
  v.tWorker = regrow(v.tWorker, next);
  v.tAttempt = regrow(v.tAttempt, next);
  v.tGen = regrow(v.tGen, next);
  const free = regrow(v.tFree, next), add = next - have;
  free.copyWithin(add, 0, top);
  for (let i = 0; i < add; i++) free[i] = next - 1 - i;
  v.tFree = free;
  s[S_T_FREE_TOP] = top + add;
  s[S_T_ALLOC] = next;
}
