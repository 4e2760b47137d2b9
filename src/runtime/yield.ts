/**
 * Lets a long run of work that never waits on I/O give the event loop a turn
 * now and then. A chain of promises that all resolve at once (a root task
 * mapping a million children through its own master, whose store answers
 * synchronously) runs entirely as microtasks: timers, sockets and heartbeats
 * wait until it ends, and a master stalled for seconds declares live workers
 * dead. `maybe()` yields one macrotask turn once `everyMs` have passed since
 * the last one, so such a chain pays ~1 ms per `everyMs` of work at most.
 */
export class EventLoopYield {
  #last = performance.now();

  /** @param everyMs longest stretch without a turn, ms. @default 20 */
  constructor(readonly everyMs = 20) {}

  /** Resolves at once, or after one macrotask turn when `everyMs` have passed since the last. */
  maybe(): Promise<void> | undefined {
    const now = performance.now();
    if (now - this.#last < this.everyMs) return undefined;
    return new Promise<void>((resolve) => setTimeout(() => { this.#last = performance.now(); resolve(); }, 0));
  }
}
