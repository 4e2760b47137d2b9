/**
 * A double-ended FIFO queue. Tens of thousands of items may pass through at
 * once (a dead worker's tasks coming back, a big batch waiting on a worker),
 * so nothing here spreads arguments or shifts an array one element at a time.
 */
export class Deque<T> {
  #items: T[] = [];
  #head = 0;

  get size(): number { return this.#items.length - this.#head; }

  /** Appends one item at the back. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Appends items at the back. */
  pushAll(items: ArrayLike<T>): void {
    for (let i = 0; i < items.length; i++) this.#items.push(items[i]!);
  }

  /** Puts items back at the front, keeping their order. */
  unshiftAll(items: ArrayLike<T>): void {
    if (items.length === 0) return;
    this.#items = Array.from(items).concat(this.#items.slice(this.#head));
    this.#head = 0;
  }

  /** Removes and returns the front item (undefined when empty). */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head]!;
    this.#items[this.#head++] = undefined as T; // let it be collected
    // Drop the consumed prefix once it is most of the array.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes the first item that matches, if any (a linear search: for rare operations like a kill). */
  removeFirst(match: (item: T) => boolean): T | undefined {
    for (let i = this.#head; i < this.#items.length; i++) {
      if (match(this.#items[i]!)) return this.#items.splice(i, 1)[0];
    }
    return undefined;
  }

  /** Calls `fn` with each item, front first, leaving the queue as it is. */
  forEach(fn: (item: T) => void): void {
    for (let i = this.#head; i < this.#items.length; i++) fn(this.#items[i]!);
  }

  /** Removes and returns every item. */
  drain(): T[] {
    const out = this.#items.slice(this.#head);
    this.clear();
    return out;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
