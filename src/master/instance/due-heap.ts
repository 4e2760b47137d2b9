import type { Clock } from "../../runtime/clock.ts";
import type { CycleTimers } from "./cycle-timers.ts";

/** Something due at a clock time. */
export interface Due {
  readonly at: number;
}

/**
 * Entries due at clock times, earliest first (a binary min-heap), with one
 * timer of the cycle armed for the earliest: when it fires, every entry due
 * by then goes to `onDue`, in time order.
 */
export class DueHeap<T extends Due> {
  readonly #heap: T[] = [];
  readonly #clock: Clock;
  readonly #timers: CycleTimers;
  readonly #timer: string;
  readonly #onDue: (entry: T) => void;

  /** @param timer the name of the cycle timer this heap arms */
  constructor(clock: Clock, timers: CycleTimers, timer: string, onDue: (entry: T) => void) {
    this.#clock = clock;
    this.#timers = timers;
    this.#timer = timer;
    this.#onDue = onDue;
  }

  /** Entries not yet due. */
  get size(): number { return this.#heap.length; }

  /** Adds an entry; re-arms the timer when it is the earliest. */
  push(entry: T): void {
    const heap = this.#heap;
    heap.push(entry);
    for (let i = heap.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (heap[p]!.at <= heap[i]!.at) break;
      [heap[p], heap[i]] = [heap[i]!, heap[p]!];
      i = p;
    }
    if (heap[0] === entry) this.#arm();
  }

  #arm(): void {
    this.#timers.cancel(this.#timer);
    const first = this.#heap[0];
    if (first) this.#timers.once(this.#timer, Math.max(1, first.at - this.#clock.now()), () => this.#fire());
  }

  #fire(): void {
    const now = this.#clock.now();
    while (this.#heap.length > 0 && this.#heap[0]!.at <= now) this.#onDue(this.#pop());
    this.#arm();
  }

  #pop(): T {
    const heap = this.#heap, top = heap[0]!, last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < heap.length && heap[l]!.at < heap[m]!.at) m = l;
        if (r < heap.length && heap[r]!.at < heap[m]!.at) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  }
}
