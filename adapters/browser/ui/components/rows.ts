/**
 * Bar rows from a master's progress (InstanceProgress.names / .workers), in a
 * stable order: the processor's own names first as they appear, ROOT and
 * REDUCE around them; workers by id.
 */
import type { NameProgress, WorkerProgress } from "../../../../src/store/task-store.ts";
import { int, percent } from "./format.ts";
import type { BarRow } from "./progress-bars.ts";

const FIRST = "ROOT", LAST = "REDUCE";

/** One row per task name: done over the name's total. */
export function namesToRows(names: Record<string, NameProgress>): BarRow[] {
  const keys = Object.keys(names);
  const order = (k: string) => (k === FIRST ? -1 : k === LAST ? 1 : 0);
  return keys
    .sort((a, b) => order(a) - order(b))
    .map((label) => ({ label, ...names[label]! }));
}

/**
 * One row per worker: its share of every task done so far (the bars add up to
 * the whole width), with what it holds now (handed out or running). Done over
 * what it was handed would stand near 100 % for every worker while the job is
 * half done. `notes` tags rows (e.g. "killed").
 */
export function workersToRows(workers: Record<string, WorkerProgress>, notes: Record<string, string> = {}): BarRow[] {
  let allDone = 0;
  for (const w of Object.values(workers)) allDone += w.success + w.failed;
  return Object.keys(workers)
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((label) => {
      const w = workers[label]!;
      const done = w.success + w.failed, held = w.pulled + w.running;
      return {
        label, total: w.total, success: w.success, failed: w.failed, running: 0, pulled: 0, of: allDone, note: notes[label],
        text: `${int(done)} done (${percent(done, allDone)} of done) · ${int(held)} held`,
      };
    });
}
