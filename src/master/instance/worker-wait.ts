import type { CycleTimers } from "./cycle-timers.ts";

/** What the wait for workers needs of its cycle. */
export interface WorkerWaitHost {
  readonly timers: CycleTimers;
  readonly settings: { readonly workerWaitMs: number };
  /** Whether tasks wait with no worker that may take them. */
  stranded(): boolean;
  /** Fails the whole instance. */
  failInstance(reason: string): void;
  /** Dispatches again. */
  pump(): void;
}

const TIMER = "worker-wait";

/**
 * B5: when no valid worker can take the tasks that wait, the instance gives
 * workers `workerWaitMs` to appear, then fails with "all workers are down".
 */
export class WorkerWait {
  readonly #h: WorkerWaitHost;

  constructor(host: WorkerWaitHost) {
    this.#h = host;
  }

  /** Starts the wait, unless one runs. */
  arm(): void {
    const h = this.#h;
    h.timers.once(TIMER, h.settings.workerWaitMs, () => {
      if (h.stranded()) h.failInstance("all workers are down");
      else h.pump();
    });
  }

  /** A worker that may take tasks joined: the wait ends. */
  cancel(): void {
    this.#h.timers.cancel(TIMER);
  }
}
