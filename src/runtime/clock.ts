/** An opaque timer handle from a Clock. */
export type TimerId = number;

/**
 * Time and timers, passed to the master and workers so tests can run on a
 * manual clock: no component reads the real time or sleeps by itself (X5).
 */
export interface Clock {
  /** Milliseconds since an arbitrary epoch. */
  now(): number;
  /** Runs `fn` once after `ms`. */
  setTimeout(fn: () => void, ms: number): TimerId;
  /** Cancels a timer (unknown ids are ignored). */
  clearTimeout(id: TimerId): void;
}

/** The runtime's real clock (Date.now and globalThis.setTimeout). */
export class RealClock implements Clock {
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();
  #next = 1;
  now(): number { return Date.now(); }
  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.#next++;
    this.#timers.set(id, setTimeout(() => { this.#timers.delete(id); fn(); }, Math.max(0, ms)));
    return id;
  }
  clearTimeout(id: TimerId): void {
    const t = this.#timers.get(id);
    if (t !== undefined) { clearTimeout(t); this.#timers.delete(id); }
  }
}

/**
 * A clock that moves only when told. `advance(ms)` fires due timers in time
 * order and lets promise callbacks settle between them, so event-driven code
 * runs exactly as it would in real time, minus the waiting.
 */
export class ManualClock implements Clock {
  #now: number;
  #next = 1;
  // Ids grow with creation, so timers due at the same time fire in creation order.
  readonly #timers = new Map<number, { due: number; fn: () => void }>();

  /** @param start the starting time in ms. @default 0 */
  constructor(start = 0) { this.#now = start; }
  now(): number { return this.#now; }
  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.#next++;
    this.#timers.set(id, { due: this.#now + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(id: TimerId): void { this.#timers.delete(id); }
  /** Timers not yet fired. */
  get pending(): number { return this.#timers.size; }

  /** Moves time forward by `ms`, firing every timer that comes due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    await settle();
    for (;;) {
      let first: [number, { due: number; fn: () => void }] | undefined;
      for (const e of this.#timers) if (e[1].due <= end && (!first || e[1].due < first[1].due || (e[1].due === first[1].due && e[0] < first[0]))) first = e;
      if (!first) break;
      this.#timers.delete(first[0]);
      this.#now = Math.max(this.#now, first[1].due);
      first[1].fn();
      await settle();
    }
    this.#now = end;
    await settle();
  }

  /** Due time of the next timer, or undefined when none is pending. */
  nextDue(): number | undefined {
    let due: number | undefined;
    for (const t of this.#timers.values()) if (due === undefined || t.due < due) due = t.due;
    return due;
  }

  /**
   * Jumps from timer to timer until `done()` holds. Throws when no timer is
   * left to move things on, or after `maxMs` of clock time.
   */
  async until(done: () => boolean, maxMs = 3_600_000): Promise<void> {
    const end = this.#now + maxMs;
    await settle();
    while (!done()) {
      const due = this.nextDue();
      if (due === undefined) throw new Error("ManualClock.until: nothing pending and the condition does not hold");
      if (due > end) throw new Error(`ManualClock.until: condition not met within ${maxMs} ms`);
      await this.advance(Math.max(0, due - this.#now));
    }
  }
}

/** Lets pending promise callbacks (and the ones they start) run. */
export async function settle(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => queueMicrotask(r));
  // A macrotask turn too, so callbacks queued by I/O-free setImmediate-like paths run.
  await new Promise<void>((r) => globalThis.setTimeout(r, 0));
}
