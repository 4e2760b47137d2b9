import { firstLine } from "../failure-lines.ts";
import type { MasterCalls } from "../master-calls.ts";
import type { Output } from "../output.ts";
import type { TaskPage, TaskView } from "../../../src/master/task-pages.ts";

/** Options of `taskmill tasks`. */
export interface TasksOptions {
  calls: MasterCalls;
  instance: string;
  status?: string;
  name?: string;
  /** Tasks per request (the master takes 1-1,000; its default is 100). */
  limit?: number;
  /** Start after the page this cursor ended. */
  cursor?: string;
  /** One page only, not every one. */
  page: boolean;
  io: Output;
}

/** One task on one line: id, status, name, attempt, worker, failures, and its error when it has one. */
export function taskLine(t: TaskView): string {
  const line = `${t.taskId}  ${t.status.padEnd(7)}  ${t.name}  attempt ${t.attempt}  ${t.worker ?? "-"}  ${t.failures} failed run${t.failures === 1 ? "" : "s"}`;
  return t.error ? `${line}  ${firstLine(t.error.message)}` : line;
}

/**
 * Prints an instance's tasks (B25), one per line on stdout: every task that
 * matches (L7), fetched page by page so a million tasks never sit in memory;
 * with `page`, one page, and the cursor of the next on stderr so stdout
 * stays one task a line. An unknown instance exits 4.
 */
export async function tasks(o: TasksOptions): Promise<number> {
  let cursor: string | null = o.cursor ?? null;
  do {
    const query: Record<string, string> = {};
    if (o.status !== undefined) query.status = o.status;
    if (o.name !== undefined) query.name = o.name;
    if (o.limit !== undefined) query.limit = String(o.limit);
    if (cursor !== null) query.cursor = cursor;
    const a = await o.calls.call<TaskPage>((c) => c.api.instances[":id"].tasks.$get({ param: { id: o.instance }, query }));
    if (a.body.tasks.length > 0) o.io.out(a.body.tasks.map(taskLine).join("\n"));
    cursor = a.body.cursor;
  } while (!o.page && cursor !== null);
  if (cursor !== null) o.io.err(`more: --cursor ${cursor}`);
  return 0;
}
