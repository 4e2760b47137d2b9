import { SLOT_MASK } from "../../../core-as/shared/constants.ts";
import type { JsonValue } from "../../protocol/messages.ts";

/** Slots held before the first growth (the core's table starts as small, B31). */
const START = 1024;

/**
 * What the master keeps in memory for each live task, indexed by its task
 * table slot: store row number, identity and body. Bounded by the table's
 * capacity, and like the table it grows in doubling steps as slots are used,
 * so an unused `queueSize` costs nothing (B31); a finished task's body is
 * dropped at once (X4).
 */
export class TaskSlots {
  #seq: Float64Array;
  readonly #taskId: (string | undefined)[] = [];
  readonly #body: (JsonValue | undefined)[] = [];
  /** Runs of the task that ended in failure (its retries count them). */
  #failures: Int32Array;
  /** A5: when the task was queued (clock ms), then when it was last sent to a worker. */
  #since: Float64Array;
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
    const n = Math.min(capacity, START);
    this.#seq = new Float64Array(n);
    this.#failures = new Int32Array(n);
    this.#since = new Float64Array(n);
  }

  /** Slots allocated so far (at most the capacity). */
  get allocated(): number { return this.#seq.length; }

  /** Records a newly admitted task, queued (or adopted) at `at` (clock ms). */
  set(handle: number, seq: number, taskId: string, body: JsonValue, failures = 0, at = 0): void {
    const s = handle & SLOT_MASK;
    if (s >= this.#seq.length) this.#grow(s);
    this.#seq[s] = seq;
    this.#taskId[s] = taskId;
    this.#body[s] = body;
    this.#failures[s] = failures;
    this.#since[s] = at;
  }

  /** A5: the task is sent to a worker at `now`; returns how long it waited since queued or last sent, ms. */
  sent(handle: number, now: number): number {
    const s = handle & SLOT_MASK;
    const waited = now - (this.#since[s] ?? now);
    this.#since[s] = now;
    return waited;
  }

  /** A5: when a live task was last sent to a worker (or queued, before that), clock ms. */
  sinceOf(handle: number): number { return this.#since[handle & SLOT_MASK] ?? 0; }

  /** Store row number of a live task. */
  seqOf(handle: number): number { return this.#seq[handle & SLOT_MASK] ?? 0; }
  /** Id of a live task. */
  taskIdOf(handle: number): string { return this.#taskId[handle & SLOT_MASK]!; }
  /** Body of a live task (null once dropped). */
  bodyOf(handle: number): JsonValue { return this.#body[handle & SLOT_MASK] ?? null; }
  /** Failed runs of a live task so far. */
  failuresOf(handle: number): number { return this.#failures[handle & SLOT_MASK] ?? 0; }
  /** Counts one more failed run of the task; returns the new count. */
  addFailure(handle: number): number { return ++this.#failures[handle & SLOT_MASK]!; }

  /** Drops a finished task's data. */
  release(handle: number): void {
    const s = handle & SLOT_MASK;
    this.#taskId[s] = undefined;
    this.#body[s] = undefined;
  }

  #grow(slot: number): void {
    let n = Math.max(1, this.#seq.length);
    while (n <= slot) n *= 2;
    n = Math.max(slot + 1, Math.min(this.#capacity, n));
    const seq = new Float64Array(n), failures = new Int32Array(n), since = new Float64Array(n);
    seq.set(this.#seq);
    failures.set(this.#failures);
    since.set(this.#since);
    this.#seq = seq;
    this.#failures = failures;
    this.#since = since;
  }
}
