import type { Core } from "../../core/index.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { BatchSender } from "./batch-sender.ts";
import type { DispatchQueue } from "./dispatch-queue.ts";
import type { WorkerWait } from "./worker-wait.ts";
import type { WorkerTable } from "./worker-table.ts";

/** What push dispatch reads of the job's settings. */
export interface PushSettings {
  readonly pageSize: number;
  readonly dispatchers: number;
  readonly route: "round-robin" | "worker-load";
}

/** What push dispatch needs of its cycle. */
export interface PushDispatchHost {
  readonly core: Core;
  readonly clock: Clock;
  readonly settings: PushSettings;
  readonly queue: DispatchQueue;
  readonly workers: WorkerTable;
  readonly sender: BatchSender;
  readonly workerWait: WorkerWait;
  /** Arms a wait for the rate limiter's next token, then dispatches again. */
  waitForToken(): void;
}

/**
 * Push dispatch (B3, B5-B8): rounds of at most pageSize tasks per eligible
 * worker, granted by the rate limiter, routed round-robin or by worker load
 * (re-dispatched tasks restricted per B6), one batch per worker, and at most
 * `dispatchers` batches on their way at once.
 */
export class PushDispatch {
  readonly #h: PushDispatchHost;
  /** Routed batches waiting for a free dispatcher (at most one round's worth). */
  #sends: Array<[number, Uint32Array]> = [];

  constructor(host: PushDispatchHost) {
    this.#h = host;
  }

  /** One dispatch round: sends what waits while dispatchers, workers and tokens allow. */
  round(): void {
    const h = this.#h, s = h.settings;
    this.#flush();
    // A new round only once the last one is on its way: batches wait for a dispatcher, not the router.
    while (this.#sends.length === 0 && h.sender.inFlight < s.dispatchers && h.queue.pending > 0) {
      const eligible = h.workers.eligible();
      if (eligible === 0) { h.workerWait.arm(); return; }
      const want = Math.min(h.queue.pending, s.pageSize * eligible);
      const granted = h.core.limiter.take(h.clock.now(), want);
      if (granted === 0) { h.waitForToken(); return; }
      const handles = h.queue.take(granted);
      if (handles.length === 0) continue;
      if (this.#route(handles) === 0) return; // worker-load: no free slot; a report or heartbeat dispatches again
      this.#flush();
    }
  }

  /** Sends routed batches while fewer than `dispatchers` are in flight (B3). */
  #flush(): void {
    const h = this.#h;
    while (this.#sends.length > 0 && h.sender.inFlight < h.settings.dispatchers) {
      const [idx, handles] = this.#sends.shift()!;
      // The worker may have died since routing: its batch goes back to be routed again.
      if (!h.workers.isValid(idx)) h.queue.untake(handles);
      else h.sender.send(idx, handles, false);
    }
  }

  /**
   * Routes handles (re-dispatched ones restricted per B6), groups them by
   * worker and queues one batch per worker. Returns how many were routed.
   */
  #route(handles: Uint32Array): number {
    const h = this.#h, t = h.core.table;
    const fresh: number[] = [], again: number[] = [];
    for (const x of handles) (t.attemptOf(x) > 0 ? again : fresh).push(x);
    if (h.settings.route === "worker-load") h.workers.refreshFreeSlots();
    let routed = 0;
    const groups = new Map<number, number[]>();
    const unrouted: number[] = [];
    for (const [list, redispatch] of [[fresh, false], [again, true]] as const) {
      if (list.length === 0) continue;
      const out = new Int32Array(list.length);
      const k = h.core.router.route(list.length, out, redispatch);
      for (let i = 0; i < k; i++) {
        const g = groups.get(out[i]!) ?? [];
        g.push(list[i]!);
        groups.set(out[i]!, g);
      }
      for (let i = k; i < list.length; i++) unrouted.push(list[i]!);
      routed += k;
    }
    for (const [idx, g] of groups) this.#sends.push([idx, Uint32Array.from(g)]);
    h.queue.untake(Uint32Array.from(unrouted));
    if (routed === 0 && h.settings.route !== "worker-load") h.workerWait.arm();
    return routed;
  }
}
