import { FAILED, RUNNING, SUCCESS, T_ILLEGAL, T_OK, T_STALE, T_WRONG_ATTEMPT, T_WRONG_WORKER } from "../../../core-as/shared/constants.ts";
import type { InstanceMetrics } from "../master-metrics.ts";
import type { Core } from "../../core/index.ts";
import type { JsonValue, TaskReport } from "../../protocol/messages.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { StatusUpdate, TaskStatusCode } from "../../store/task-store.ts";
import type { WorkerInfo } from "../worker-registry.ts";
import { errorOf, type FailureLog } from "./failure-log.ts";
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

/** Maps a report's status to its code. */
function statusCode(s: TaskReport["status"]): number {
  return s === "RUNNING" ? RUNNING : s === "SUCCESS" ? SUCCESS : FAILED;
}

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

  /** Applies a worker's reports for this instance; returns [applied, refused]. */
  apply(w: WorkerInfo, reports: readonly TaskReport[]): [number, number] {
    const h = this.#h;
    const idx = h.workers.indexOf(w.key);
    if (idx === undefined) {
      h.metrics.reportsRefused("unknown_worker", reports.length);
      return [0, reports.length];
    }
    h.workers.updateLoad(idx, w);
    const [all, duplicates] = this.#onePerTask(reports);
    const list = this.#retryFailedRuns(all, idx);
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
      const r = list[i]!;
      // A report must also name the task the handle holds now.
      handles[i] = h.slots.taskIdOf(r.handle) === r.taskId ? r.handle : 0xffffffff;
      attempts[i] = r.attempt;
      statuses[i] = statusCode(r.status);
      seqs[i] = h.slots.seqOf(r.handle);
      // The name of a task that ends, read while its handle is live (a final report frees it): listed on the
      // instance when it failed (B25), counted by name either way (A5).
      if (statuses[i] !== RUNNING) names[i] = h.core.table.nameOf(r.handle);
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
    for (let i = 0; i < n; i++) {
      if (codes[i] !== T_OK) {
        refused++;
        (byCode ??= [])[codes[i]!] = (byCode[codes[i]!] ?? 0) + 1;
        continue;
      }
      const r = list[i]!;
      if (r.traceId) h.workers.setTrace(idx, r.traceId);
      if (statuses[i] === RUNNING) {
        h.deadlines.started(handles[i]!);
        continue;
      }
      if (r.runMs !== undefined) {
        startWaits[nRan] = Math.max(0, now - h.slots.sinceOf(handles[i]!) - r.runMs) / 1000;
        ran[nRan++] = r.runMs / 1000;
      }
      const e = (ended ??= new Map()).get(names[i]!);
      if (e) e[statuses[i] === SUCCESS ? 0 : 1]++;
      else ended.set(names[i]!, statuses[i] === SUCCESS ? [1, 0] : [0, 1]);
      const u: StatusUpdate = { seq: seqs[i]!, status: statuses[i] as TaskStatusCode, attempt: r.attempt, worker: w.key, result: r.result ?? null };
      if (statuses[i] === FAILED) this.#failedForGood(u, r, w.key, names[i]!);
      updates.push(u);
      h.slots.release(handles[i]!);
      if (seqs[i] === 0) h.rootEnded(statuses[i]!, r.result ?? null);
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

  /** B21: failed runs of tasks with runs left go back to wait for their retry; returns the other reports. */
  #retryFailedRuns(list: TaskReport[], idx: number): TaskReport[] {
    const retries = this.#h.retries;
    let rest: TaskReport[] | null = null;
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!;
      const retry = r.status === "FAILED" && retries.isRun(r.handle, r.taskId, r.attempt, idx) && retries.canRetry(r.handle);
      if (retry) {
        rest ??= list.slice(0, i);
        retries.retry(r.handle, errorOf(r.error, r.result));
      } else rest?.push(r);
    }
    return rest ?? list;
  }

  /** A run failed with no run left: its error is stored with it and listed on the instance (B25). */
  #failedForGood(u: StatusUpdate, r: TaskReport, worker: string, nameIdx: number): void {
    const h = this.#h;
    const error = errorOf(r.error, r.result);
    u.error = error;
    u.failures = h.slots.failuresOf(r.handle) + 1;
    u.at = h.clock.now();
    h.failures.add({ taskId: r.taskId, name: h.names.nameOf(nameIdx), attempt: r.attempt, worker, message: error.message });
  }

  /**
   * One report per task of the current cycle, a final one winning over RUNNING; returns them
   * and how many were dropped. Two tasks may name one handle in a batch after a takeover (B36):
   * a task the old owner handed out under that number, reported late, and one this master did.
   * The task the handle holds keeps its report; the other could not apply anyway.
   */
  #onePerTask(reports: readonly TaskReport[]): [TaskReport[], number] {
    const serialNum = this.#h.serialNum(), slots = this.#h.slots;
    const byHandle = new Map<number, TaskReport>();
    let dropped = 0;
    for (const r of reports) {
      if (r.serialNum !== serialNum) { dropped++; continue; }
      const prev = byHandle.get(r.handle);
      if (prev) {
        dropped++;
        if (prev.taskId !== r.taskId) {
          if (slots.taskIdOf(r.handle) !== r.taskId) continue;
        } else if (prev.status !== "RUNNING" && r.status === "RUNNING") continue;
      }
      byHandle.set(r.handle, r);
    }
    return [[...byHandle.values()], dropped];
  }
}
