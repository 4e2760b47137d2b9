import { FencedError } from "../../store/errors.ts";

/**
 * Runs an instance's store writes one after another, in the order they were
 * issued, so a later write (a re-dispatch mark) never lands before an
 * earlier one (the failover reset). Each write is tried up to `attempts`
 * times (B11); a write that still fails, or a FencedError, goes to `onFatal`.
 */
export class WriteChain {
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;

  constructor(private readonly onFatal: (e: unknown) => void, private readonly attempts = 3) {}

  /** Writes not yet done. */
  get pending(): number { return this.#pending; }

  /** Queues a write; the returned promise settles with it (rejects after the last attempt). */
  run<T>(write: () => Promise<T>): Promise<T> {
    this.#pending++;
    const p = this.#tail.then(async () => {
      let last: unknown;
      for (let i = 0; i < this.attempts; i++) {
        try {
          return await write();
        } catch (e) {
          last = e;
          if (e instanceof FencedError) break;
        }
      }
      throw last;
    });
    this.#tail = p.then(() => undefined, (e) => { this.onFatal(e); });
    void this.#tail.finally(() => { this.#pending--; });
    return p;
  }

  /** Queues a write nobody waits for: a failure goes to `onFatal` only. */
  fire(write: () => Promise<unknown>): void {
    this.run(write).catch(() => undefined);
  }

  /** Resolves when every queued write has settled. */
  async drain(): Promise<void> {
    while (this.#pending > 0) await this.#tail;
  }
}
