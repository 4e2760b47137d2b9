import type { Clock, TimerId } from "../runtime/clock.ts";
import type { TaskStore } from "../store/task-store.ts";

/**
 * B25: removes the tasks finished instances kept once their retainFor has
 * passed, on an interval. Sweeping is idempotent and unfenced, so every
 * master sharing a store may run it.
 */
export class RetentionSweep {
  readonly #store: Pick<TaskStore, "sweepRetained">;
  readonly #clock: Clock;
  readonly #everyMs: number;
  readonly #onError: (e: unknown) => void;
  #timer: TimerId | undefined;
  #running = false;

  constructor(store: Pick<TaskStore, "sweepRetained">, clock: Clock, everyMs: number, onError: (e: unknown) => void) {
    this.#store = store;
    this.#clock = clock;
    this.#everyMs = everyMs;
    this.#onError = onError;
  }

  /** Sweeps now and then every `everyMs`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#tick();
  }

  /** Stops sweeping. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #tick(): Promise<void> {
    try {
      // A page of instances per call: more due than that are swept on the next calls.
      while (this.#running && (await this.#store.sweepRetained(this.#clock.now())) > 0);
    } catch (e) {
      this.#onError(e);
    }
    if (this.#running) this.#timer = this.#clock.setTimeout(() => void this.#tick(), this.#everyMs);
  }
}
