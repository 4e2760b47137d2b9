import type { TaskReport } from "../protocol/messages.ts";

/**
 * Status reports waiting to go to one master. Within the buffer a task has
 * one report: a final one replaces a RUNNING one (B11), so a fast task sends
 * only its result.
 */
export class ReportBuffer {
  readonly #byTask = new Map<string, TaskReport>();

  get size(): number { return this.#byTask.size; }

  /** Adds a report; keeps the final one when a task has two. */
  add(r: TaskReport): void {
    const key = `${r.instanceId}\u0000${r.serialNum}\u0000${r.handle}\u0000${r.attempt}`;
    const prev = this.#byTask.get(key);
    if (prev && prev.status !== "RUNNING" && r.status === "RUNNING") return;
    if (prev) this.#byTask.delete(key);
    this.#byTask.set(key, r);
  }

  /** Takes up to `max` reports, oldest first. */
  take(max: number): TaskReport[] {
    const out: TaskReport[] = [];
    for (const [k, r] of this.#byTask) {
      if (out.length >= max) break;
      out.push(r);
      this.#byTask.delete(k);
    }
    return out;
  }

  /** Puts reports back (a send failed); newer reports for the same task win. */
  restore(reports: readonly TaskReport[]): void {
    const newer = new Map(this.#byTask);
    this.#byTask.clear();
    for (const r of reports) this.add(r);
    for (const r of newer.values()) this.add(r);
  }
}
