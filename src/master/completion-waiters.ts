import type { InstanceView } from "./master-types.ts";

/**
 * Who waits for which instance to end (Master.waitFor): each waiter resolves
 * with the final view, or leaves at once when its signal aborts (H9), so a
 * client that goes away leaves nothing behind.
 */
export class CompletionWaiters {
  readonly #byInstance = new Map<string, Array<(v: InstanceView) => void>>();

  /** Resolves with the view `take` is called with for `instanceId`; rejects with `signal`'s reason when it aborts first. */
  wait(instanceId: string, signal?: AbortSignal): Promise<InstanceView> {
    return new Promise((resolve, reject) => {
      const list = this.#byInstance.get(instanceId) ?? [];
      const done = (x: InstanceView) => { signal?.removeEventListener("abort", leave); resolve(x); };
      const leave = () => {
        const now = this.#byInstance.get(instanceId);
        const at = now?.indexOf(done) ?? -1;
        if (at >= 0) now!.splice(at, 1);
        if (now?.length === 0) this.#byInstance.delete(instanceId);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", leave, { once: true });
      list.push(done);
      this.#byInstance.set(instanceId, list);
    });
  }

  /** Removes and returns the waiters of `instanceId` (to answer them once its final view is known), or null. */
  take(instanceId: string): Array<(v: InstanceView) => void> | null {
    const list = this.#byInstance.get(instanceId) ?? null;
    this.#byInstance.delete(instanceId);
    return list;
  }

  /** Waiters held now, over every instance. */
  get count(): number {
    let n = 0;
    for (const l of this.#byInstance.values()) n += l.length;
    return n;
  }
}
