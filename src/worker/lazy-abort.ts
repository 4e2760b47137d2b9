/**
 * An abort controller whose AbortSignal is made only when someone reads it:
 * most tasks never look at `ctx.signal`, and making one per task costs more
 * than running a small task.
 */
export class LazyAbort {
  #ac: AbortController | undefined;
  #aborted = false;
  #reason: unknown;

  /** The signal, created on first use (already aborted if the task was killed before). */
  get signal(): AbortSignal {
    if (!this.#ac) {
      this.#ac = new AbortController();
      if (this.#aborted) this.#ac.abort(this.#reason);
    }
    return this.#ac.signal;
  }

  get aborted(): boolean { return this.#aborted; }
  get reason(): unknown { return this.#reason; }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#ac?.abort(reason);
  }
}
