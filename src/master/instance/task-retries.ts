import { INIT, PULLED, RUNNING, T_OK } from "../../../core-as/shared/constants.ts";
import type { Core } from "../../core/index.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { TaskError } from "../../store/task-store.ts";
import type { ResolvedSettings } from "../settings.ts";
import { retryDelay } from "./backoff.ts";
import type { CycleTimers } from "./cycle-timers.ts";
import { DueHeap } from "./due-heap.ts";
import type { TaskSlots } from "./task-slots.ts";
import type { TaskWrites } from "./task-writes.ts";

/** What task retries need of their cycle. */
export interface TaskRetriesHost {
  readonly core: Core;
  readonly slots: TaskSlots;
  readonly writes: TaskWrites;
  readonly clock: Clock;
  readonly timers: CycleTimers;
  readonly settings: Pick<ResolvedSettings, "taskMaxAttempts" | "taskRetryDelay" | "taskRetryBackoff" | "taskRetryDelayMax">;
  /** A waiting task is due: dispatch it (ROOT to the master's own worker, others through the queue). */
  due(handle: number): void;
}

/** A task waiting for its retry delay, at the attempt it will run as. */
interface Waiting {
  readonly at: number;
  readonly handle: number;
  readonly attempt: number;
}

/**
 * Per-task retries (B21): a run that fails while the task has runs left
 * (taskMaxAttempts counts runs that ended in failure, so a run lost to a
 * dead worker uses none) sends the task back to INIT — counted INIT while it
 * waits, with its not-before time stored so a restart keeps the wait — and
 * makes it dispatchable once its backoff delay has passed.
 */
export class TaskRetries {
  readonly #h: TaskRetriesHost;
  readonly #waiting: DueHeap<Waiting>;

  constructor(host: TaskRetriesHost) {
    this.#h = host;
    // A task killed meanwhile (or run again after a failover) is not the one that waited: skipped.
    const t = host.core.table;
    this.#waiting = new DueHeap<Waiting>(host.clock, host.timers, "retry", (w) => {
      if (t.status(w.handle) === INIT && t.attemptOf(w.handle) === w.attempt) host.due(w.handle);
    });
  }

  /** Tasks waiting for their retry delay. */
  get waiting(): number { return this.#waiting.size; }

  /** Whether a failed run of `handle` leaves it runs (taskMaxAttempts counts failed runs). */
  canRetry(handle: number): boolean {
    return this.#h.slots.failuresOf(handle) + 1 < this.#h.settings.taskMaxAttempts;
  }

  /**
   * Whether `handle` holds the run a worker reports on: the task `taskId`,
   * handed to worker `idx` at `attempt`, not final.
   */
  isRun(handle: number, taskId: string, attempt: number, idx: number): boolean {
    const t = this.#h.core.table, st = t.status(handle);
    return (st === PULLED || st === RUNNING) && t.attemptOf(handle) === attempt && t.workerOf(handle) === idx
      && this.#h.slots.taskIdOf(handle) === taskId;
  }

  /**
   * The run of `handle` failed with `error` and the task has runs left: back
   * to INIT at the next attempt, its failure counted and stored with the
   * time it may run again.
   */
  retry(handle: number, error: TaskError | null): void {
    const h = this.#h, t = h.core.table;
    const codes = new Int32Array(1);
    t.requeue(Uint32Array.of(handle), 1, codes);
    if (codes[0] !== T_OK) return;
    const failures = h.slots.addFailure(handle);
    const now = h.clock.now();
    const at = now + retryDelay(h.settings, failures);
    const attempt = t.attemptOf(handle);
    h.writes.update([{ seq: h.slots.seqOf(handle), status: INIT, attempt, worker: null, failures, notBefore: at, error, at: now }]);
    this.wait(handle, at);
  }

  /** Holds an INIT task until `at` (a retry's delay; after a restart, its stored not-before time). */
  wait(handle: number, at: number): void {
    this.#waiting.push({ at, handle, attempt: this.#h.core.table.attemptOf(handle) });
  }
}
