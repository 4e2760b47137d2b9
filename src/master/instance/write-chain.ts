import { FencedError } from "../../store/errors.ts";

/**
 * Runs an instance's store writes one after another, in the order they were
 * issued, so a later write (a re-dispatch mark) never lands before an
 * earlier one (the failover reset). Each write is tried up to `attempts`
 * times (B11); a write that still fails, or a FencedError, goes to `onFatal`.
 *
 * Pipelined (a store that keeps the order and retries itself, such as the
 * SQLite store on its own thread: `TaskStore.writeAttempts`), a write starts
 * as soon as the writes issued before it have started, without waiting for
 * their answers, and is tried once here: the store runs them in order and
 * tries each before the next, so the order and the attempts are the same
 * without a round trip between writes.
 */
export class WriteChain {
  /** Settles (never rejects) once every write issued so far has settled and its failure was reported. */
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;
  readonly #pipelined: boolean;

  /**
   * @param attempts tries per write here (B11); a pipelined chain tries once, the store the rest.
   * @param pipelined start writes without waiting for the ones before to answer (the store keeps their order).
   */
  constructor(private readonly onFatal: (e: unknown) => void, private readonly attempts = 3, pipelined = false) {
    this.#pipelined = pipelined;
  }

  /** Writes not yet done. */
  get pending(): number { return this.#pending; }

  /** Settles (never rejects) once every write issued so far has settled, in issue order. */
  get settled(): Promise<void> { return this.#tail; }

  /** Queues a write; the returned promise settles with it (rejects after the last attempt). */
  run<T>(write: () => Promise<T>): Promise<T> {
    this.#pending++;
    const p = this.#pipelined ? this.#start(write) : this.#tail.then(() => this.#tries(write));
    // A write's failure is reported after those of the writes before it, and `settled` waits for all.
    const done = p.then(() => null, (e: unknown) => ({ e }));
    this.#tail = this.#tail.then(() => done).then((f) => { if (f !== null) this.onFatal(f.e); });
    void this.#tail.finally(() => { this.#pending--; });
    return p;
  }

  /**
   * Pipelined: starts `write` on a microtask, so in issue order (microtasks
   * run first in, first out, and a write posts its call before its first
   * await); writes issued in the same turn may still join it (TaskWrites'
   * update groups).
   */
  #start<T>(write: () => Promise<T>): Promise<T> {
    return Promise.resolve().then(() => this.#tries(write));
  }

  async #tries<T>(write: () => Promise<T>): Promise<T> {
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
