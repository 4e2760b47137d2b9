/**
 * Bar rows from a master's progress (InstanceProgress.names / .workers), in a
 * stable order: the processor's own names first as they appear, ROOT and
 * REDUCE around them; workers by id.
 */
import type { NameProgress, WorkerProgress } from "../../../../src/store/task-store.ts";
import type { BarRow } from "./progress-bars.ts";

const FIRST = "ROOT", LAST = "REDUCE";

/** One row per task name. */
export function namesToRows(names: Record<string, NameProgress>): BarRow[] {
  const keys = Object.keys(names);
  const order = (k: string) => (k === FIRST ? -1 : k === LAST ? 1 : 0);
  return keys
    .sort((a, b) => order(a) - order(b))
    .map((label) => ({ label, ...names[label]! }));
}

/** One row per worker; `notes` tags rows (e.g. "killed"). */
export function workersToRows(workers: Record<string, WorkerProgress>, notes: Record<string, string> = {}): BarRow[] {
  return Object.keys(workers)
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((label) => ({ label, ...workers[label]!, note: notes[label] }));
}
