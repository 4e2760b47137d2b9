/** A min-heap of rows by seq: the memory store's claimable rows, lowest seq first. */

/**
 * Min-heap of items by `seq`. Entries may be stale (the row moved on since
 * it was pushed): readers re-check what they pop.
 */
export class SeqHeap<T extends { readonly seq: number }> {
  readonly #a: T[] = [];

  /** Entries held, stale ones included. */
  get size(): number {
    return this.#a.length;
  }

  /** Adds `item`. */
  push(item: T): void {
    const a = this.#a;
    let i = a.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]!.seq <= item.seq) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = item;
  }

  /** Takes the entry of lowest seq, or undefined when empty. */
  pop(): T | undefined {
    const a = this.#a;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    const n = a.length;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && a[child + 1]!.seq < a[child]!.seq) child++;
      if (a[child]!.seq >= last.seq) break;
      a[i] = a[child]!;
      i = child;
    }
    a[i] = last;
    return top;
  }

  /** Drops every entry. */
  clear(): void {
    this.#a.length = 0;
  }
}
