import { masterClient } from "../client.ts";
import { firstLine } from "../failure-lines.ts";
import type { TaskPage, TaskView } from "../../../src/master/task-pages.ts";

/** Options of `taskmill tasks`. */
export interface TasksOptions {
  master: string;
  instance: string;
  status?: string;
  name?: string;
  /** Tasks per page (the master takes 1-1,000; its default is 100). */
  limit?: number;
  /** Start after the page this cursor ended. */
  cursor?: string;
  /** Every page, not just one. */
  all: boolean;
  token?: string;
}

/** One task on one line: id, status, name, attempt, worker, failures, and its error when it has one. */
export function taskLine(t: TaskView): string {
  const line = `${t.taskId}  ${t.status.padEnd(7)}  ${t.name}  attempt ${t.attempt}  ${t.worker ?? "-"}  ${t.failures} failed run${t.failures === 1 ? "" : "s"}`;
  return t.error ? `${line}  ${firstLine(t.error.message)}` : line;
}

/**
 * Prints a page of an instance's tasks (B25), one per line on stdout, or
 * every page with `all` — page by page, so a million tasks never sit in
 * memory. After a single page that is not the last, the cursor of the next
 * goes to stderr, so stdout stays one task a line.
 */
export async function tasks(o: TasksOptions): Promise<number> {
  const client = masterClient(o.master, o.token);
  let cursor: string | null = o.cursor ?? null;
  do {
    const query: Record<string, string> = {};
    if (o.status !== undefined) query.status = o.status;
    if (o.name !== undefined) query.name = o.name;
    if (o.limit !== undefined) query.limit = String(o.limit);
    if (cursor !== null) query.cursor = cursor;
    const r = await client.api.instances[":id"].tasks.$get({ param: { id: o.instance }, query });
    const body = await r.json() as TaskPage & { error?: string };
    if (r.status !== 200) {
      console.error(`taskmill tasks: ${r.status}: ${body.error ?? JSON.stringify(body)}`);
      return 1;
    }
    if (body.tasks.length > 0) console.log(body.tasks.map(taskLine).join("\n"));
    cursor = body.cursor;
  } while (o.all && cursor !== null);
  if (cursor !== null) console.error(`more: --cursor ${cursor}`);
  return 0;
}
