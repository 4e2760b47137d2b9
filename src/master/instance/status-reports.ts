import { FAILED, RUNNING, SUCCESS, T_ILLEGAL, T_OK, T_STALE, T_WRONG_ATTEMPT, T_WRONG_WORKER } from "../../../core-as/shared/constants.ts";
import type { InstanceMetrics } from "../master-metrics.ts";
import type { Core } from "../../core/index.ts";
import type { JsonValue, ReportColumns } from "../../protocol/messages.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { StatusUpdate, TaskStatusCode } from "../../store/task-store.ts";
import type { WorkerInfo } from "../worker-registry.ts";
import { errorOf, type FailureLog } from "./failure-log.ts";
import type { TaskError } from "../../store/task-store.ts";
import type { RunDeadlines } from "./run-deadlines.ts";
import type { TaskNames } from "./task-names.ts";
import type { TaskRetries } from "./task-retries.ts";
import type { TaskSlots } from "./task-slots.ts";
import type { TaskWrites } from "./task-writes.ts";
import type { WorkerTable } from "./worker-table.ts";

/** What status reports need of their cycle. */
export interface StatusReportsHost {
  readonly core: Core;
  readonly slots: TaskSlots;
  readonly names: TaskNames;
  readonly workers: WorkerTable;
  readonly writes: TaskWrites;
  readonly clock: Clock;
  readonly retries: TaskRetries;
  readonly deadlines: RunDeadlines;
  readonly failures: FailureLog;
  /** A5: where finished tasks and refused reports are counted, once per batch. */
  readonly metrics: InstanceMetrics;
  /** The instance's processor name (a metrics label). */
  readonly processor: string;
  /** The cycle reports must name. */
  serialNum(): number;
  /** ROOT (row 0) ended: its status and result decide a Map job's outcome (B12). */
  rootEnded(status: number, result: JsonValue): void;
  /** Reports applied: dispatch more and see whether the instance is done. */
  applied(): void;
}

/** A5: the metrics reason of each refusal code of the core, by code. */
const REFUSAL_REASON: readonly string[] = (() => {
  const r: string[] = [];
  r[T_STALE] = "stale";
  r[T_WRONG_ATTEMPT] = "wrong_attempt";
  r[T_WRONG_WORKER] = "wrong_worker";
  r[T_ILLEGAL] = "illegal";
  return r;
})();

/**
 * Status reports (B11): each is checked in the core against the task's
 * current attempt, worker and status; what applies moves the counters and
 * final statuses are written with their results and errors. PULLED and
 * RUNNING live in memory only: the store keeps the row INIT, and the batch's
 * dispatch record says who holds it (B3, B27).
 * A failed run of a task with runs left is retried instead (B21), and a
 * RUNNING report starts the run's deadline (B22).
 */
export class StatusReports {
  readonly #h: StatusReportsHost;

  constructor(host: StatusReportsHost) {
    this.#h = host;
  }

  /**
   * Applies a worker's reports for this instance, as their columns came (W2); returns [applied, refused].
   * Why columns: a report is never an object here, the core reads typed arrays and the store takes updates.
   */
  apply(w: WorkerInfo, c: ReportColumns): [number, number] {
    const h = this.#h, total = c.handles.length;
    const idx = h.workers.indexOf(w.key);
    if (idx === undefined) {
      h.metrics.reportsRefused("unknown_worker", total);
      return [0, total];
    }
    h.workers.updateLoad(idx, w);
    const [all, duplicates] = this.#onePerTask(c);
    const errors = errorsOf(c);
    const list = this.#retryFailedRuns(c, all, errors, idx);
    const retried = all.length - list.length;
    let refused = duplicates;
    if (duplicates > 0) h.metrics.reportsRefused("duplicate", duplicates);
    const n = list.length;
    if (n === 0) {
      if (retried > 0) h.applied();
      return [retried, refused];
    }
    const handles = new Uint32Array(n), attempts = new Int32Array(n), statuses = new Int32Array(n), names = new Int32Array(n);
    const seqs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const j = list[i]!, handle = c.handles[j]!;
      // A report must also name the task the handle holds now.
      handles[i] = h.slots.taskIdOf(handle) === c.taskIds[j] ? handle : 0xffffffff;
      attempts[i] = c.attempts[j]!;
      statuses[i] = c.statuses[j]!; // W2: the wire's codes are the core's
      seqs[i] = h.slots.seqOf(handle);
      // The name of a task that ends, read while its handle is live (a final report frees it): listed on the
      // instance when it failed (B25), counted by name either way (A5).
      if (statuses[i] !== RUNNING) names[i] = h.core.table.nameOf(handle);
    }
    const codes = new Int32Array(n);
    const applied = h.core.table.report(handles, attempts, new Int32Array(n).fill(idx), statuses, n, codes);
    h.workers.answered(idx);
    const updates: StatusUpdate[] = [];
    // A5: each ended task's run as its worker timed it, and its wait from dispatch to that run's start
    // (this report's arrival less the run), observed once per batch.
    const now = h.clock.now();
    const ran = new Float64Array(n), startWaits = new Float64Array(n);
    let nRan = 0;
    /** A5: finished tasks of this batch by name index, success and failed side by side; refusals by code. */
    let ended: Map<number, [number, number]> | null = null;
    let byCode: number[] | null = null;
    const traces = c.traceIds === undefined ? null : new Map(c.traceIds);
    for (let i = 0; i < n; i++) {
      if (codes[i] !== T_OK) {
        refused++;
        (byCode ??= [])[codes[i]!] = (byCode[codes[i]!] ?? 0) + 1;
        continue;
      }
      const j = list[i]!;
      const trace = traces?.get(j);
      if (trace) h.workers.setTrace(idx, trace);
      if (statuses[i] === RUNNING) {
        h.deadlines.started(handles[i]!);
        continue;
      }
      const runMs = c.runMs[j];
      if (runMs !== null && runMs !== undefined) {
        startWaits[nRan] = Math.max(0, now - h.slots.sinceOf(handles[i]!) - runMs) / 1000;
        ran[nRan++] = runMs / 1000;
      }
      const e = (ended ??= new Map()).get(names[i]!);
      if (e) e[statuses[i] === SUCCESS ? 0 : 1]++;
      else ended.set(names[i]!, statuses[i] === SUCCESS ? [1, 0] : [0, 1]);
      const result = c.results[j] ?? null;
      const u: StatusUpdate = { seq: seqs[i]!, status: statuses[i] as TaskStatusCode, attempt: attempts[i]!, worker: w.key, result };
      if (statuses[i] === FAILED) this.#failedForGood(u, handles[i]!, c.taskIds[j]!, attempts[i]!, errorOf(errors?.get(j), result), w.key, names[i]!);
      updates.push(u);
      h.slots.release(handles[i]!);
      if (seqs[i] === 0) h.rootEnded(statuses[i]!, result);
    }
    h.writes.update(updates);
    if (ended) this.#countEnded(ended);
    if (nRan > 0) h.metrics.tasksRan(h.processor, ran.subarray(0, nRan), startWaits.subarray(0, nRan));
    if (byCode) byCode.forEach((k, code) => h.metrics.reportsRefused(REFUSAL_REASON[code] ?? `code_${code}`, k));
    if (applied + retried > 0) h.applied();
    return [applied + retried, refused];
  }

  /** A5: one counter step per task name and status in a batch. */
  #countEnded(ended: Map<number, [number, number]>): void {
    const h = this.#h;
    for (const [nameIdx, [ok, failed]] of ended) {
      const name = h.names.nameOf(nameIdx);
      if (ok > 0) h.metrics.tasksFinished(h.processor, name, "success", ok);
      if (failed > 0) h.metrics.tasksFinished(h.processor, name, "failed", failed);
    }
  }

  /** B21: failed runs of tasks with runs left go back to wait for their retry; returns the other reports' indexes. */
  #retryFailedRuns(c: ReportColumns, list: number[], errors: Map<number, TaskError> | null, idx: number): number[] {
    const retries = this.#h.retries;
    let rest: number[] | null = null;
    for (let i = 0; i < list.length; i++) {
      const j = list[i]!, handle = c.handles[j]!;
      const retry = c.statuses[j] === FAILED && retries.isRun(handle, c.taskIds[j]!, c.attempts[j]!, idx) && retries.canRetry(handle);
      if (retry) {
        rest ??= list.slice(0, i);
        retries.retry(handle, errorOf(errors?.get(j), c.results[j] ?? null));
      } else rest?.push(j);
    }
    return rest ?? list;
  }

  /** A run failed with no run left: its error is stored with it and listed on the instance (B25). */
  #failedForGood(u: StatusUpdate, handle: number, taskId: string, attempt: number, error: TaskError, worker: string, nameIdx: number): void {
    const h = this.#h;
    u.error = error;
    u.failures = h.slots.failuresOf(handle) + 1;
    u.at = h.clock.now();
    h.failures.add({ taskId, name: h.names.nameOf(nameIdx), attempt, worker, message: error.message });
  }

  /**
   * One report per task of the current cycle, a final one winning over RUNNING; returns their indexes
   * and how many were dropped. Two tasks may name one handle in a batch after a takeover (B36):
   * a task the old owner handed out under that number, reported late, and one this master did.
   * The task the handle holds keeps its report; the other could not apply anyway.
   */
  #onePerTask(c: ReportColumns): [number[], number] {
    const n = c.handles.length;
    if (c.serialNum !== this.#h.serialNum()) return [[], n];
    const slots = this.#h.slots;
    const byHandle = new Map<number, number>();
    let dropped = 0;
    for (let j = 0; j < n; j++) {
      const handle = c.handles[j]!;
      const prev = byHandle.get(handle);
      if (prev !== undefined) {
        dropped++;
        if (c.taskIds[prev] !== c.taskIds[j]) {
          if (slots.taskIdOf(handle) !== c.taskIds[j]) continue;
        } else if (c.statuses[prev] !== RUNNING && c.statuses[j] === RUNNING) continue;
      }
      byHandle.set(handle, j);
    }
    return [[...byHandle.values()], dropped];
  }
}

/** A group's errors by report index (W2 lists them apart: most batches have none). */
function errorsOf(c: ReportColumns): Map<number, TaskError> | null {
  if (c.errors === undefined || c.errors.length === 0) return null;
  const m = new Map<number, TaskError>();
  for (const [i, e] of c.errors) m.set(i, e.stack === undefined ? { message: e.message } : { message: e.message, stack: e.stack });
  return m;
}
