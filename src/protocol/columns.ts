/**
 * Between the column-wise wire format of the hot messages (W1, W2) and the
 * per-task shapes the code that is not hot keeps using: encoders for the
 * worker's reports and for tests, and readers of one row.
 */
import { WIRE_STATUS, type ReportColumns, type TaskColumns, type TaskReport, type TaskSpec } from "./messages.ts";

/** The status names by wire code (W2). */
const STATUS_NAME: readonly (TaskReport["status"] | undefined)[] = [undefined, undefined, undefined, "RUNNING", "SUCCESS", "FAILED"];

/** A batch of no tasks (a pull answered empty). */
export function noTasks(): TaskColumns {
  return { handles: [], taskIds: [], names: [], nameIdx: [], bodies: [], attempts: [] };
}

/** Tasks as columns (W1), each name once. */
export function taskColumns(tasks: readonly TaskSpec[]): TaskColumns {
  const c = noTasks(), seen = new Map<string, number>();
  for (const t of tasks) {
    let k = seen.get(t.name);
    if (k === undefined) { k = c.names.length; seen.set(t.name, k); c.names.push(t.name); }
    c.handles.push(t.handle); c.taskIds.push(t.taskId); c.nameIdx.push(k); c.bodies.push(t.body); c.attempts.push(t.attempt);
  }
  return c;
}

/** The i-th task of a column batch. */
export function taskAt(c: TaskColumns, i: number): TaskSpec {
  return { handle: c.handles[i]!, taskId: c.taskIds[i]!, name: c.names[c.nameIdx[i]!]!, body: c.bodies[i]!, attempt: c.attempts[i]! };
}

/** Every task of a column batch, in order. */
export function tasksOf(c: TaskColumns): TaskSpec[] {
  const out: TaskSpec[] = new Array(c.handles.length);
  for (let i = 0; i < out.length; i++) out[i] = taskAt(c, i);
  return out;
}

/** Reports as column groups (W2): one per instance cycle, in the order each first appears. */
export function reportColumns(reports: readonly TaskReport[]): ReportColumns[] {
  const out: ReportColumns[] = [];
  let last: ReportColumns | undefined;
  for (const r of reports) {
    // Consecutive reports mostly share their instance: look up the group only when it changes.
    if (last === undefined || last.instanceId !== r.instanceId || last.serialNum !== r.serialNum) {
      last = out.find((g) => g.instanceId === r.instanceId && g.serialNum === r.serialNum);
      if (last === undefined) {
        last = { instanceId: r.instanceId, serialNum: r.serialNum, handles: [], taskIds: [], attempts: [], statuses: [], results: [], runMs: [] };
        out.push(last);
      }
    }
    const i = last.handles.length;
    last.handles.push(r.handle); last.taskIds.push(r.taskId); last.attempts.push(r.attempt);
    last.statuses.push(WIRE_STATUS[r.status]);
    last.results.push(r.result ?? null);
    last.runMs.push(r.runMs ?? null);
    if (r.error !== undefined) (last.errors ??= []).push([i, r.error]);
    if (r.traceId !== undefined) (last.traceIds ??= []).push([i, r.traceId]);
  }
  return out;
}

/** Every report of a column group, as objects (tests, and the rare paths that are not hot). */
export function reportsOf(c: ReportColumns): TaskReport[] {
  const out: TaskReport[] = [];
  for (let i = 0; i < c.handles.length; i++) {
    const r: TaskReport = { instanceId: c.instanceId, serialNum: c.serialNum, handle: c.handles[i]!, taskId: c.taskIds[i]!, attempt: c.attempts[i]!, status: STATUS_NAME[c.statuses[i]!]! };
    if (c.results[i] !== null) r.result = c.results[i]!;
    if (c.runMs[i] !== null) r.runMs = c.runMs[i]!;
    out.push(r);
  }
  for (const [i, e] of c.errors ?? []) out[i]!.error = e;
  for (const [i, t] of c.traceIds ?? []) out[i]!.traceId = t;
  return out;
}
