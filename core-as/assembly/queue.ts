// Ring-buffer queue of u32 task handles. It never overwrites: a full queue
// takes the part of a batch that fits and says how many it took. The ring
// (S_Q_ALLOC long) grows as it fills, up to the capacity S_Q_CAP.
import { S_Q_HEAD, S_Q_SIZE, S_Q_CAP, S_Q_ALLOC, IO_OUT } from "../shared/constants";
import { queue, getS, setS, lane, growQueue } from "./arena";

/** Appends up to `n` handles from I/O lane 0; returns how many were taken. */
export function queuePush(n: i32): i32 {
  const size = getS(S_Q_SIZE);
  const room = getS(S_Q_CAP) - size;
  const k = n < room ? n : room;
  if (k <= 0) return 0;
  if (size + k > getS(S_Q_ALLOC)) growQueue(size + k);
  const cap = getS(S_Q_ALLOC);
  let tail = getS(S_Q_HEAD) + size;
  if (tail >= cap) tail -= cap;
  const first = cap - tail < k ? cap - tail : k;
  memory.copy(queue + (<usize>tail << 2), lane(0, 0), <usize>first << 2);
  if (k > first) memory.copy(queue, lane(0, first), <usize>(k - first) << 2);
  setS(S_Q_SIZE, size + k);
  return k;
}

/** Removes up to `n` handles into the output lane; returns how many. */
export function queuePop(n: i32): i32 {
  const cap = getS(S_Q_ALLOC);
  const size = getS(S_Q_SIZE);
  const k = n < size ? n : size;
  if (k <= 0) return 0;
  const head = getS(S_Q_HEAD);
  const first = cap - head < k ? cap - head : k;
  memory.copy(lane(IO_OUT, 0), queue + (<usize>head << 2), <usize>first << 2);
  if (k > first) memory.copy(lane(IO_OUT, first), queue, <usize>(k - first) << 2);
  let h = head + k;
  if (h >= cap) h -= cap;
  setS(S_Q_HEAD, size == k ? 0 : h);
  setS(S_Q_SIZE, size - k);
  return k;
}

/** Empties the queue. */
export function queueClear(): void {
  setS(S_Q_HEAD, 0);
  setS(S_Q_SIZE, 0);
}
