import type { Clock, TimerId } from "../../runtime/clock.ts";

/**
 * The timers of one cycle: periodic checks and named one-shot waits (the
 * rate limiter's next token, the wait for workers). `stop()` clears them all,
 * so a finished cycle leaves nothing armed.
 */
export class CycleTimers {
  readonly #clock: Clock;
  readonly #periodic = new Set<TimerId>();
  readonly #once = new Map<string, TimerId>();
  #stopped = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Calls `fn` every `ms` until stopped. */
  every(ms: number, fn: () => void): void {
    if (this.#stopped) return;
    const tick = () => {
      this.#periodic.delete(id);
      if (this.#stopped) return;
      fn();
      if (this.#stopped) return;
      id = this.#clock.setTimeout(tick, ms);
      this.#periodic.add(id);
    };
    let id = this.#clock.setTimeout(tick, ms);
    this.#periodic.add(id);
  }

  /** Calls `fn` once after `ms`, unless a timer of that name is armed already. */
  once(name: string, ms: number, fn: () => void): void {
    if (this.#stopped || this.#once.has(name)) return;
    this.#once.set(name, this.#clock.setTimeout(() => { this.#once.delete(name); fn(); }, ms));
  }

  /** Disarms the one-shot timer `name`, if armed. */
  cancel(name: string): void {
    const id = this.#once.get(name);
    if (id === undefined) return;
    this.#clock.clearTimeout(id);
    this.#once.delete(name);
  }

  /** Whether the periodic checks run (the cycle started and did not stop). */
  get ticking(): boolean {
    return this.#periodic.size > 0;
  }

  /** Clears every timer; later calls arm nothing. */
  stop(): void {
    this.#stopped = true;
    for (const id of this.#periodic) this.#clock.clearTimeout(id);
    this.#periodic.clear();
    for (const id of this.#once.values()) this.#clock.clearTimeout(id);
    this.#once.clear();
  }
}
