/**
 * B25: the tasks of an instance, page by page, as users read them — through
 * the store, never loading them all, with the owner's live state laid over a
 * running instance's rows: a task on a worker shows PULLED or RUNNING there,
 * with its worker and attempt, though its row is INIT (B3).
 */
import type { JsonValue } from "../protocol/messages.ts";
import { ValidationError } from "../errors/validation-error.ts";
import { expectInt } from "../errors/validate.ts";
import type { TaskStatusName } from "../processor/types.ts";
import type { TaskError, TaskRow, TaskStatusCode, TaskStore } from "../store/task-store.ts";

/** Statuses by name, as the API takes and gives them. */
const CODES: Readonly<Record<TaskStatusName, TaskStatusCode>> = { INIT: 1, PULLED: 2, RUNNING: 3, SUCCESS: 4, FAILED: 5 };
const NAMES: readonly TaskStatusName[] = ["INIT", "INIT", "PULLED", "RUNNING", "SUCCESS", "FAILED"];

/** Most tasks one page may hold. */
export const MAX_PAGE = 1000;
/** Tasks on a page unless asked otherwise. */
export const DEFAULT_PAGE = 100;

/** What a page of tasks is asked for. */
export interface TaskPageQuery {
  /** Only tasks in this status: "INIT", "PULLED", "RUNNING", "SUCCESS" or "FAILED". */
  status?: string;
  /** Only tasks of this name. */
  name?: string;
  /** Tasks per page, 1-1,000. @default 100 */
  limit?: number;
  /** The `cursor` of the page before; absent for the first. */
  cursor?: string | null;
}

/** One task as the API shows it. */
export interface TaskView {
  taskId: string;
  name: string;
  status: TaskStatusName;
  /** Its run's attempt: grows with each retry and failover. */
  attempt: number;
  /** The worker incarnation it was handed to (`workerId#incarnation`), or null. */
  worker: string | null;
  /** Runs of it that ended in failure. */
  failures: number;
  /** Why its last run failed, when it failed. */
  error?: TaskError;
  /** Its result, once it ended. */
  result?: JsonValue;
  /** When it was last written (clock ms). */
  updatedAt: number;
}

/** A page of tasks, and the cursor of the next (null at the end). */
export interface TaskPage {
  tasks: TaskView[];
  cursor: string | null;
}

/** The live state of a running instance's tasks, by store row: status, attempt and worker. */
export type LiveOverlay = (rows: readonly TaskRow[]) => TaskRow[];

function decodeCursor(cursor: string): number {
  const m = /^s(\d{1,15})$/.exec(cursor);
  if (!m) throw new ValidationError("cursor", "the cursor of an earlier page", cursor);
  return Number(m[1]);
}

/** Checks a query; throws a ValidationError naming the bad field. */
export function checkTaskQuery(q: TaskPageQuery): { status: TaskStatusCode | undefined; name: string | undefined; limit: number; afterSeq: number } {
  let status: TaskStatusCode | undefined;
  if (q.status !== undefined) {
    status = Object.hasOwn(CODES, q.status) ? CODES[q.status as TaskStatusName] : undefined;
    if (status === undefined) throw new ValidationError("status", `one of ${Object.keys(CODES).join(", ")}`, q.status);
  }
  if (q.name !== undefined && (typeof q.name !== "string" || q.name === "" || q.name.length > 256)) {
    throw new ValidationError("name", "a task name of 1-256 characters", q.name);
  }
  const limit = q.limit === undefined ? DEFAULT_PAGE : expectInt("limit", q.limit, 1, MAX_PAGE);
  const afterSeq = q.cursor === undefined || q.cursor === null || q.cursor === "" ? -1 : decodeCursor(q.cursor);
  return { status, name: q.name, limit, afterSeq };
}

function toView(r: TaskRow): TaskView {
  const v: TaskView = {
    taskId: r.taskId, name: r.name, status: NAMES[r.status] ?? "FAILED", attempt: r.attempt, worker: r.worker,
    failures: r.failures, updatedAt: r.updatedAt,
  };
  if (r.error) v.error = r.error;
  if (r.status === 4 || r.status === 5) v.result = r.result;
  return v;
}

/**
 * Reads one page. The store keeps a dispatched task's row INIT (B3: no
 * per-task dispatch mark), so on a live instance (`overlay` given) a task
 * asked for as INIT, PULLED or RUNNING is read from the store's INIT rows
 * and the live state filters the page: it may hold fewer tasks than the
 * limit, and the cursor still walks the store's rows.
 */
export async function readTaskPage(store: Pick<TaskStore, "listTasks">, instanceId: string, q: TaskPageQuery, overlay: LiveOverlay | null): Promise<TaskPage> {
  const c = checkTaskQuery(q);
  const live = overlay !== null && c.status !== undefined && c.status <= 3;
  const rows = await store.listTasks(instanceId, { status: live ? 1 : c.status, name: c.name, limit: c.limit, afterSeq: c.afterSeq });
  const last = rows.length === c.limit ? rows[rows.length - 1]!.seq : null;
  let shown = overlay ? overlay(rows) : rows;
  if (live) shown = shown.filter((r) => r.status === c.status);
  return { tasks: shown.map(toView), cursor: last === null ? null : `s${last}` };
}
