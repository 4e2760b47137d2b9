import type { TaskResult, TaskStatusName } from "../processor/types.ts";
import type { ResultRow } from "../store/task-store.ts";

/** Status codes as users read them (INIT 1 … FAILED 5). */
const NAMES: readonly TaskStatusName[] = ["INIT", "INIT", "PULLED", "RUNNING", "SUCCESS", "FAILED"];

/** The store's result rows as reduce reads them: statuses by name, failed tasks with their error (B16). */
export async function* taskResults(rows: AsyncIterable<ResultRow>): AsyncIterable<TaskResult> {
  for await (const r of rows) {
    yield { taskId: r.taskId, name: r.name, status: NAMES[r.status] ?? "FAILED", result: r.result, error: r.error ?? null, attempt: r.attempt ?? 0 };
  }
}
