import type { TaskReport } from "../protocol/messages.ts";

/**
 * Status reports waiting to go to one master. Within the buffer a task has
 * one report: a final one replaces a RUNNING one (B11), so a fast task sends
 * only its result.
 */
export class ReportBuffer {
  readonly #byTask = new Map<string, TaskReport>();
  /** Approximate JSON size of each report, so a batch stays under the master's body limit. */
  readonly #bytes = new WeakMap<TaskReport, number>();

  get size(): number { return this.#byTask.size; }

  /** Adds a report; keeps the final one when a task has two. `bytes` is its result's JSON length, if known. */
  add(r: TaskReport, bytes?: number): void {
    const key = `${r.instanceId}\u0000${r.serialNum}\u0000${r.handle}\u0000${r.attempt}`;
    const prev = this.#byTask.get(key);
    if (prev && prev.status !== "RUNNING" && r.status === "RUNNING") return;
    if (prev) this.#byTask.delete(key);
    this.#byTask.set(key, r);
    if (bytes !== undefined) this.#bytes.set(r, bytes);
  }

  /** Approximate JSON size of a report. */
  bytesOf(r: TaskReport): number {
    let b = this.#bytes.get(r);
    if (b === undefined) {
      b = r.result === undefined ? 0 : JSON.stringify(r.result).length;
      this.#bytes.set(r, b);
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
