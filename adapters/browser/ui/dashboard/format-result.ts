/** Short texts of an instance for tables and headers: its result and its task counts. */
import type { View } from "./api.ts";

/** The result as one line, cut at `max` characters ("—" while there is none). */
export function resultText(v: Pick<View, "result">, max = 80): string {
  if (v.result === null || v.result === undefined) return "—";
  const s = typeof v.result === "string" ? v.result : JSON.stringify(v.result);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Task counts over every name of a view's progress. */
export interface TaskCounts {
  /** Tasks known so far: ROOT, REDUCE and every sub-task. */
  total: number;
  /** Tasks that ended (succeeded + failed). */
  ended: number;
  success: number;
  failed: number;
  /** Sub-tasks: every task but ROOT and REDUCE (what `failedCount` counts, B25). */
  subTasks: number;
}

/** The counts of a view's progress (all zero without progress). */
export function taskCounts(p: View["progress"]): TaskCounts {
  const c: TaskCounts = { total: 0, ended: 0, success: 0, failed: 0, subTasks: 0 };
  for (const [name, n] of Object.entries(p?.names ?? {})) {
    c.total += n.total;
    c.success += n.success;
    c.failed += n.failed;
    if (name !== "ROOT" && name !== "REDUCE") c.subTasks += n.total;
  }
  c.ended = c.success + c.failed;
  return c;
}

/** Tasks ended (success + failed) over every name of a view's progress. */
export function endedTasks(p: View["progress"]): number {
  return taskCounts(p).ended;
}

/** Tasks known so far over every name. */
export function totalTasks(p: View["progress"]): number {
  return taskCounts(p).total;
}

/** Settings or params as indented JSON ("—" when the master did not send them). */
export function jsonText(v: unknown): string {
  return v === undefined ? "—" : JSON.stringify(v, null, 2);
}
