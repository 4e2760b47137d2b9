import type { TaskReport } from "../protocol/messages.ts";

/**
 * Status reports waiting to go to one master. Within the buffer a task has
 * one report: a final one replaces a RUNNING one (B11), so a fast task sends
 * only its result.
 */
export class ReportBuffer {
  /** Keyed by `#key`: a number for nearly every report, so no string is built per task. */
  readonly #byTask = new Map<number | string, TaskReport>();
  /** Instances of the buffered reports, numbered for `#key`; forgotten whenever the buffer empties. */
  readonly #instances = new Map<string, number>();
  /** Approximate JSON size of each report, so a batch stays under the master's body limit. */
  readonly #bytes = new WeakMap<TaskReport, number>();

  get size(): number { return this.#byTask.size; }

  /** Adds a report; keeps the final one when a task has two. `bytes` is its result's JSON length, if known. */
  add(r: TaskReport, bytes?: number): void {
    const key = this.#key(r);
    const prev = this.#byTask.get(key);
    if (prev && prev.status !== "RUNNING" && r.status === "RUNNING") return;
    if (prev) this.#byTask.delete(key);
    this.#byTask.set(key, r);
    if (bytes !== undefined) this.#bytes.set(r, bytes);
  }

  /**
   * One task attempt's key: ((instance number × 8 + serialNum) × 2^32 + handle) × 2^8 + attempt,
   * exact below 2^53 while the buffer holds under 256 instances, serialNum < 8 and attempt < 256
   * (handles are u32); else a string.
   */
  #key(r: TaskReport): number | string {
    let inst = this.#instances.get(r.instanceId);
    if (inst === undefined) {
      inst = this.#instances.size;
      this.#instances.set(r.instanceId, inst);
    }
    if (r.attempt < 256 && r.serialNum < 8 && inst < 256) return ((inst * 8 + r.serialNum) * 2 ** 32 + r.handle) * 256 + r.attempt;
    return `${r.instanceId}\u0000${r.serialNum}\u0000${r.handle}\u0000${r.attempt}`;
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
    const out: TaskReport[] = [];
    let bytes = 0;
    for (const [k, r] of this.#byTask) {
      if (out.length >= max) break;
      const b = this.bytesOf(r);
      if (out.length > 0 && bytes + b > maxBytes) break;
      bytes += b;
      out.push(r);
      this.#byTask.delete(k);
    }
    if (this.#byTask.size === 0) this.#instances.clear();
    return out;
  }

  /** Puts reports back (a send failed); newer reports for the same task win. */
  restore(reports: readonly TaskReport[]): void {
    const newer = new Map(this.#byTask);
    this.#byTask.clear();
    for (const r of reports) this.add(r, this.#bytes.get(r));
    for (const r of newer.values()) this.add(r, this.#bytes.get(r));
  }
}
