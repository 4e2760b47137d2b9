/**
 * How the CLI prints an instance's failures (B25): the count of tasks that
 * failed for good and the first errors the instance lists, one line each.
 */
import type { InstanceView } from "../../src/master/master.ts";
import type { TaskErrorSummary } from "../../src/store/task-store.ts";

/** One failed task: id, name, attempt, worker and message, on one line (a multi-line message is cut at its first line). */
export function errorLine(e: TaskErrorSummary): string {
  return `${e.taskId}  ${e.name}  attempt ${e.attempt}  ${e.worker ?? "-"}  ${firstLine(e.message)}`;
}

/** The first line of a message, with a mark when more followed. */
export function firstLine(message: string): string {
  const cut = message.indexOf("\n");
  return cut < 0 ? message : `${message.slice(0, cut)} …`;
}

/**
 * The failure lines of a view: nothing when no task failed for good, else
 * the count and each listed error indented by `indent`.
 */
export function failureLines(v: Pick<InstanceView, "failedCount" | "errors">, indent = "  "): string[] {
  const errors = v.errors ?? [];
  if (!v.failedCount && errors.length === 0) return [];
  const shown = errors.length < v.failedCount ? ` (the first ${errors.length})` : "";
  return [`failed: ${v.failedCount} task${v.failedCount === 1 ? "" : "s"}${shown}`, ...errors.map((e) => indent + errorLine(e))];
}
