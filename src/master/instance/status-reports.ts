import { FAILED, RUNNING, SUCCESS, T_OK } from "../../../core-as/shared/constants.ts";
import type { Core } from "../../core/index.ts";
import type { JsonValue, TaskReport } from "../../protocol/messages.ts";
import type { StatusUpdate, TaskStatusCode } from "../../store/task-store.ts";
import type { WorkerInfo } from "../worker-registry.ts";
import type { TaskSlots } from "./task-slots.ts";
import type { TaskWrites } from "./task-writes.ts";
import type { WorkerTable } from "./worker-table.ts";

/** What status reports need of their cycle. */
export interface StatusReportsHost {
  readonly core: Core;
  readonly slots: TaskSlots;
  readonly workers: WorkerTable;
  readonly writes: TaskWrites;
  /** The cycle reports must name. */
  serialNum(): number;
  /** ROOT (row 0) ended: its status and result decide a Map job's outcome (B12). */
  rootEnded(status: number, result: JsonValue): void;
  /** Reports applied: dispatch more and see whether the instance is done. */
  applied(): void;
}

/** Maps a report's status to its code. */
function statusCode(s: TaskReport["status"]): number {
  return s === "RUNNING" ? RUNNING : s === "SUCCESS" ? SUCCESS : FAILED;
}

/**
 * Status reports (B11): each is checked in the core against the task's
 * current attempt, worker and status; what applies moves the counters and
 * final statuses are written with their results. RUNNING lives in the
 * counters only: the store keeps PULLED (a restart treats both alike).
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
    if (idx === undefined) return [0, reports.length];
    h.workers.updateLoad(idx, w);
    const [list, duplicates] = this.#onePerTask(reports);
    let refused = duplicates;
    const n = list.length;
    if (n === 0) return [0, refused];
    const handles = new Uint32Array(n), attempts = new Int32Array(n), statuses = new Int32Array(n);
    const seqs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = list[i]!;
      // A report must also name the task the handle holds now.
      handles[i] = h.slots.taskIdOf(r.handle) === r.taskId ? r.handle : 0xffffffff;
      attempts[i] = r.attempt;
      statuses[i] = statusCode(r.status);
      seqs[i] = h.slots.seqOf(r.handle);
    }
    const codes = new Int32Array(n);
    const applied = h.core.table.report(handles, attempts, new Int32Array(n).fill(idx), statuses, n, codes);
    h.workers.answered(idx);
    const updates: StatusUpdate[] = [];
    for (let i = 0; i < n; i++) {
      if (codes[i] !== T_OK) { refused++; continue; }
      const r = list[i]!;
      if (r.traceId) h.workers.setTrace(idx, r.traceId);
      if (statuses[i] === RUNNING) continue;
      updates.push({ seq: seqs[i]!, status: statuses[i] as TaskStatusCode, attempt: r.attempt, worker: w.key, result: r.result ?? null });
      h.slots.release(handles[i]!);
      if (seqs[i] === 0) h.rootEnded(statuses[i]!, r.result ?? null);
    }
    h.writes.update(updates);
    if (applied > 0) h.applied();
    return [applied, refused];
  }

  /** One report per task of the current cycle, a final one winning over RUNNING; returns them and how many were dropped. */
  #onePerTask(reports: readonly TaskReport[]): [TaskReport[], number] {
    const serialNum = this.#h.serialNum();
    const byHandle = new Map<number, TaskReport>();
    let dropped = 0;
    for (const r of reports) {
      if (r.serialNum !== serialNum) { dropped++; continue; }
      const prev = byHandle.get(r.handle);
      if (prev) {
        dropped++;
        if (prev.status !== "RUNNING" && r.status === "RUNNING") continue;
      }
      byHandle.set(r.handle, r);
    }
    return [[...byHandle.values()], dropped];
  }
}
