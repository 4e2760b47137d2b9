import { INIT } from "../../../core-as/shared/constants.ts";
import type { Core } from "../../core/index.ts";
import { Deque } from "../../runtime/deque.ts";

/**
 * What waits to be dispatched in one cycle: handles sent back by failover or
 * left unrouted, which go first, then the core's queue of new tasks. Killed
 * tasks are skipped as they are taken.
 */
export class DispatchQueue {
  readonly #core: Core;
  readonly #again = new Deque<number>();

  constructor(core: Core) {
    this.#core = core;
  }

  /** Handles waiting, both queues. */
  get pending(): number {
    return this.#again.size + this.#core.queue.size;
  }

  /** Queues handles to dispatch again, after those already waiting (failover, B15). */
  requeue(handles: ArrayLike<number>): void {
    this.#again.pushAll(handles);
  }

  /** Puts handles back at the front: they could not be routed now. */
  untake(handles: ArrayLike<number>): void {
    this.#again.unshiftAll(handles);
  }

  /** Takes up to `n` dispatchable handles: re-dispatched ones first, then the queue. */
  take(n: number): Uint32Array {
    const out = new Uint32Array(n);
    let k = 0;
    const t = this.#core.table;
    while (k < n && this.#again.size > 0) {
      const h = this.#again.shift()!;
      if (t.status(h) === INIT) out[k++] = h;
    }
    while (k < n && this.#core.queue.size > 0) {
      const got = this.#core.queue.popBatch(out.subarray(k), n - k);
      let w = k;
      for (let i = k; i < k + got; i++) if (t.status(out[i]!) === INIT) out[w++] = out[i]!;
      k = w;
    }
    return out.subarray(0, k);
  }
}
