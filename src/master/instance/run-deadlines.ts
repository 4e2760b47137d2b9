import { PULLED, RUNNING } from "../../../core-as/shared/constants.ts";
import type { Core } from "../../core/index.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { CycleTimers } from "./cycle-timers.ts";
import { DueHeap } from "./due-heap.ts";

/** What run deadlines need of their cycle. */
export interface RunDeadlinesHost {
  readonly core: Core;
  readonly clock: Clock;
  readonly timers: CycleTimers;
  readonly settings: { readonly taskTimeout: number | null; readonly livenessTimeoutMs: number };
  /** The run of `handle` outlived its deadline: it fails as timed out. */
  expired(handle: number): void;
}

interface Deadline {
  readonly at: number;
  readonly handle: number;
  readonly attempt: number;
}

/**
 * B22: the master's own bound on a run. The worker aborts a run taskTimeout
 * after it started RUNNING; should the worker not say so (it hangs, or its
 * reports are lost), the master fails the run itself taskTimeout +
 * livenessTimeoutMs after its RUNNING report.
 */
export class RunDeadlines {
  readonly #h: RunDeadlinesHost;
  readonly #heap: DueHeap<Deadline>;

  constructor(host: RunDeadlinesHost) {
    this.#h = host;
    const t = host.core.table;
    this.#heap = new DueHeap<Deadline>(host.clock, host.timers, "run-deadline", (d) => {
      const st = t.status(d.handle);
      if ((st === PULLED || st === RUNNING) && t.attemptOf(d.handle) === d.attempt) host.expired(d.handle);
    });
  }

  /** The run of `handle` reported RUNNING now: its deadline starts, when the job has a taskTimeout. */
  started(handle: number): void {
    const s = this.#h.settings;
    if (s.taskTimeout === null) return;
    this.#heap.push({ at: this.#h.clock.now() + s.taskTimeout + s.livenessTimeoutMs, handle, attempt: this.#h.core.table.attemptOf(handle) });
  }
}
