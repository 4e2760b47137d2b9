/**
 * A double-ended queue of task handles (the failed-over tasks waiting to be
 * dispatched again). A dead worker may hand back tens of thousands at once,
 * so nothing here spreads arguments or shifts an array one element at a time.
 */
export class HandleDeque {
  #items: number[] = [];
  #head = 0;

  get size(): number { return this.#items.length - this.#head; }

  /** Appends handles at the back. */
  pushAll(handles: ArrayLike<number>): void {
    for (let i = 0; i < handles.length; i++) this.#items.push(handles[i]!);
  }

  /** Puts handles back at the front, keeping their order. */
  unshiftAll(handles: ArrayLike<number>): void {
    if (handles.length === 0) return;
    this.#items = Array.from(handles).concat(this.#items.slice(this.#head));
    this.#head = 0;
  }

  /** Removes and returns the front handle (undefined when empty). */
  shift(): number | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const h = this.#items[this.#head++]!;
    // Drop the consumed prefix once it is most of the array.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return h;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
