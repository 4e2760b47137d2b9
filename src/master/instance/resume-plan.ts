import { FAILED, INIT } from "../../../core-as/shared/constants.ts";
import type { DispatchRecord, StatusUpdate } from "../../store/task-store.ts";
import type { InstanceStore } from "./host.ts";
import type { KeptTask } from "./adoption.ts";

/** Rows and records read per store call while planning a resume. */
const PAGE = 1000;

/** What a resume keeps (B28): the tasks still held by workers expected back, and every worker the records name. */
export interface ResumePlan {
  /** Tasks in flight: INIT rows whose latest dispatch record names them at their stored attempt, the own worker's excepted. */
  readonly kept: KeptTask[];
  /** Tasks in flight on the master's own worker, which restarted with the master: lost, never kept (released like unkept ones). */
  readonly lost: KeptTask[];
  /** Worker ids the dispatch records name (the master's own excepted): sub-tasks wait for them a while (B29). */
  readonly expected: Set<string>;
}

/**
 * B28: reads what the old master left — the dispatch records and the rows
 * they name — and keeps each task whose latest record names it at the
 * attempt its row holds, the row unfinished. Rows are not marked when
 * dispatched (B3): a dispatched task's row stays INIT, and the record is
 * what says a worker holds it. A row whose attempt moved past its record's
 * (failed over, or retried, since) is no longer held there. The master's own
 * worker restarted with it: the tasks its records name at their rows' attempt
 * are lost (`lost`), to be failed over like tasks not kept — run again at the
 * next attempt — or failed with failover off.
 *
 * Memory: two integers per stored row for the latest assignment of each seq,
 * the rows held (bounded by the old master's task table), one page at a time.
 */
export async function planResume(store: InstanceStore, instanceId: string, ownWorkerId: string): Promise<ResumePlan> {
  const maxSeq = await store.maxSeq(instanceId);
  // seq → index in `keys` of the worker its latest record names (-1: none), and the attempt it names.
  const holder = new Int32Array(maxSeq + 1).fill(-1), attempt = new Int32Array(maxSeq + 1);
  const keys: { workerId: string; worker: string; own: boolean }[] = [], keyIdx = new Map<string, number>();
  const expected = new Set<string>();
  let top = -1, after = -1;
  for (;;) {
    const page = await store.listDispatches(instanceId, after, PAGE);
    for (const rec of page) {
      // Records of the own worker name tasks lost with it: it restarted too.
      const own = rec.workerId === ownWorkerId;
      if (!own) expected.add(rec.workerId);
      let k = keyIdx.get(rec.worker) ?? -1;
      if (k < 0) keyIdx.set(rec.worker, k = keys.push({ workerId: rec.workerId, worker: rec.worker, own }) - 1);
      for (let i = 0; i < rec.seqs.length; i++) {
        const seq = rec.seqs[i]!;
        if (seq > maxSeq) continue;
        holder[seq] = k; // the latest record wins: ids grow in the order batches were dispatched
        attempt[seq] = rec.attempts[i]!;
        if (k >= 0 && seq > top) top = seq;
      }
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  const kept: KeptTask[] = [], lost: KeptTask[] = [];
  // The held rows are INIT: read those up to the highest seq a record names (dispatch goes in seq order, so
  // the backlog past it, never dispatched, is left to the claims).
  after = -1;
  while (after < top) {
    const page = await store.listTasks(instanceId, { status: INIT, limit: PAGE, afterSeq: after });
    for (const r of page) {
      const k = r.seq <= maxSeq ? holder[r.seq]! : -1;
      if (k < 0 || attempt[r.seq] !== r.attempt) continue;
      (keys[k]!.own ? lost : kept).push({
        seq: r.seq, taskId: r.taskId, name: r.name, body: r.body, attempt: r.attempt, failures: r.failures,
        workerId: keys[k]!.workerId, worker: keys[k]!.worker,
      });
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.seq;
  }
  return { kept, lost, expected };
}

/**
 * B28, X3: the writes that take the tasks a plan found in flight but a
 * fitted plan does not keep — and those lost with the master's own worker —
 * out of their worker's hands: to INIT at the next attempt (failover: their
 * records no longer name them, and the claims hand them out), or FAILED
 * with `reason` (failover off).
 */
export function releaseUnkept(plan: ResumePlan, fit: ResumePlan, failover: boolean, reason: string, at: number): StatusUpdate[] {
  const keep = new Set(fit.kept.map((k) => k.seq));
  const out = fit === plan ? plan.lost : [...plan.lost, ...plan.kept.filter((k) => !keep.has(k.seq))];
  return out.map((k) => failover
    ? { seq: k.seq, status: INIT, attempt: k.attempt + 1, worker: null, notBefore: null }
    : { seq: k.seq, status: FAILED, attempt: k.attempt, worker: k.worker, result: reason, at });
}

/**
 * B28: the part of a plan the resumed cycle can hold — at most `maxTasks`
 * kept tasks (the task table's capacity) under at most `maxWorkers` old
 * worker keys (placeholders in the worker table, leaving room for the
 * workers that register). What does not fit is not kept: `releaseUnkept`
 * fails it over (or fails it, with failover off), rather than leave a task
 * assigned to a worker nobody waits for.
 */
export function fitPlan(plan: ResumePlan, maxTasks: number, maxWorkers: number): ResumePlan {
  const keys = new Set<string>();
  const kept: KeptTask[] = [];
  for (const k of plan.kept) {
    if (kept.length >= maxTasks) break;
    if (!keys.has(k.worker)) {
      if (keys.size >= maxWorkers) continue;
      keys.add(k.worker);
    }
    kept.push(k);
  }
  return kept.length === plan.kept.length ? plan : { kept, lost: plan.lost, expected: plan.expected };
}

/** The records a resume leaves (B27): one per worker key, its kept tasks and their attempts. */
export function compactRecords(kept: readonly KeptTask[]): DispatchRecord[] {
  const byKey = new Map<string, DispatchRecord>();
  for (const k of kept) {
    let r = byKey.get(k.worker);
    if (!r) byKey.set(k.worker, r = { workerId: k.workerId, worker: k.worker, seqs: [], attempts: [] });
    r.seqs.push(k.seq);
    r.attempts.push(k.attempt);
  }
  return [...byKey.values()];
}
