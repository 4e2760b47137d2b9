import type { TaskReport } from "../protocol/messages.ts";

/**
 * Status reports waiting to go to one master, oldest first. A plain queue:
 * the worker adds a task's RUNNING report only when a flush finds it still
 * running, so a task that ends before the next flush adds just its final
 * report, and the common path does no lookup at all. Where a task has two
 * reports — a batch put back after a failed send, and reports made since —
 * `restore` keeps one, a final one winning over RUNNING (B11).
 */
export class ReportBuffer {
  #queue: TaskReport[] = [];
  #head = 0;
  /** Approximate JSON size of each report with a large result, so a batch stays under the master's body limit. */
  readonly #bytes = new WeakMap<TaskReport, number>();

  get size(): number { return this.#queue.length - this.#head; }

  /** Adds a report at the back. `bytes` is its result's JSON length, if known. */
  add(r: TaskReport, bytes?: number): void {
    this.#queue.push(r);
    if (bytes !== undefined) this.#bytes.set(r, bytes);
  }

  /** Calls `fn` with each waiting report, oldest first, leaving them waiting. */
  forEach(fn: (r: TaskReport) => void): void {
    for (let i = this.#head; i < this.#queue.length; i++) fn(this.#queue[i]!);
  }

  /** Takes out the waiting reports `fn` picks, oldest first, leaving the others in order (B36: they go to another master). */
  extract(fn: (r: TaskReport) => boolean): TaskReport[] {
    const out: TaskReport[] = [], keep: TaskReport[] = [];
    for (let i = this.#head; i < this.#queue.length; i++) (fn(this.#queue[i]!) ? out : keep).push(this.#queue[i]!);
    if (out.length > 0) { this.#queue = keep; this.#head = 0; }
    return out;
  }

  /** Drops every waiting report (B30: they name an incarnation the master superseded). */
  clear(): void {
    this.#queue = [];
    this.#head = 0;
  }

  /** Approximate JSON size of a report. */
  bytesOf(r: TaskReport): number {
    const v = r.result;
    let b: number | undefined;
    // Numbers, booleans and null take at most 24 characters: no need to write them out.
    if (v === undefined || v === null || typeof v === "number" || typeof v === "boolean") b = 24;
    else {
      b = this.#bytes.get(r);
      if (b === undefined) {
        b = JSON.stringify(v).length;
        this.#bytes.set(r, b);
      }
    }
    return 160 + r.instanceId.length + r.taskId.length + b;
  }

  /** Takes up to `max` reports, oldest first, stopping before `maxBytes` (at least one). */
  take(max: number, maxBytes = Infinity): TaskReport[] {
    const q = this.#queue;
    let end = this.#head, bytes = 0;
    while (end < q.length && end - this.#head < max) {
      const b = this.bytesOf(q[end]!);
      if (end > this.#head && bytes + b > maxBytes) break;
      bytes += b;
      end++;
    }
    const out = q.slice(this.#head, end);
    this.#head = end;
    // Drop the taken prefix once it is most of the array, so memory follows the backlog.
    if (this.#head === q.length) { this.#queue = []; this.#head = 0; }
    else if (this.#head > 1024 && this.#head * 2 > q.length) { this.#queue = q.slice(this.#head); this.#head = 0; }
    return out;
  }

  /**
   * Puts reports back in front (a send failed). A task attempt keeps one
   * report: a final one over RUNNING, else the newer one (those added since).
   */
  restore(reports: readonly TaskReport[]): void {
    const all = [...reports, ...this.#queue.slice(this.#head)];
    // The task id too: reports of tasks an old owner handed out (B36) and of tasks the new owner
    // did may carry the same handle, each in its own master's table.
    const key = (r: TaskReport) => `${r.instanceId}\u0000${r.serialNum}\u0000${r.handle}\u0000${r.taskId}\u0000${r.attempt}`;
    const winner = new Map<string, number>();
    for (let i = 0; i < all.length; i++) {
      const k = key(all[i]!);
      const prev = winner.get(k);
      if (prev !== undefined && all[prev]!.status !== "RUNNING" && all[i]!.status === "RUNNING") continue;
      winner.set(k, i);
    }
    this.#queue = all.filter((r, i) => winner.get(key(r)) === i);
    this.#head = 0;
  }
}
