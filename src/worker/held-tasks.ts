/**
 * B28: what a worker tells a restarted master it still holds — every task of
 * that master's pools that waits, runs, or was reported without an answer
 * yet — so the master gives them to the worker's new incarnation instead of
 * running them again elsewhere. Bounded by MAX_HELD: past it, the rest are
 * left out and fail over on the master.
 */
import { MAX_HELD, type HeldTask, type TaskReport } from "../protocol/messages.ts";
import type { Pool } from "./pool.ts";
import type { ReportBuffer } from "./report-buffer.ts";

/**
 * The tasks held for master `master`: the reports waiting to go to it or on
 * their way (a batch sent and not answered yet), and its pools' running and
 * waiting tasks.
 */
export function heldTasks(
  pools: Iterable<Pool>, reports: ReadonlyArray<ReportBuffer | readonly TaskReport[]>, master: string, cap = MAX_HELD,
): HeldTask[] {
  const out: HeldTask[] = [];
  const seen = new Set<string>();
  const add = (instanceId: string, taskId: string, attempt: number) => {
    if (out.length >= cap) return;
    const k = `${instanceId}\u0000${taskId}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ instanceId, taskId, attempt });
  };
  for (const list of reports) list.forEach((r) => add(r.instanceId, r.taskId, r.attempt));
  for (const p of pools) {
    if (p.master !== master || p.closed.signal.aborted) continue;
    const id = p.spec.instanceId;
    for (const run of p.running.values()) add(id, run.task.taskId, run.task.attempt);
    p.waiting.forEach((t) => add(id, t.taskId, t.attempt));
  }
  return out;
}
