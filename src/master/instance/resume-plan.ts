import { PULLED, RUNNING } from "../../../core-as/shared/constants.ts";
import type { DispatchRecord, TaskRow } from "../../store/task-store.ts";
import type { InstanceStore } from "./host.ts";
import type { KeptTask } from "./adoption.ts";

/** Rows and records read per store call while planning a resume. */
const PAGE = 1000;

/** What a resume keeps (B28): the tasks still held by workers expected back, and every worker the records name. */
export interface ResumePlan {
  /** Tasks in flight whose latest dispatch record names their worker and attempt, the own worker's excepted. */
  readonly kept: KeptTask[];
  /** Worker ids the dispatch records name (the master's own excepted): sub-tasks wait for them a while (B29). */
  readonly expected: Set<string>;
}

/**
 * B28: reads what the old master left — the tasks in flight (PULLED or
 * RUNNING rows) and the dispatch records — and keeps each task whose record
 * names its worker key and attempt as the row does. The master's own worker
 * restarted with it: its tasks are not kept. Memory: the rows in flight
 * (bounded by the old master's task table) and one page of records.
 */
export async function planResume(store: InstanceStore, instanceId: string, ownWorkerId: string): Promise<ResumePlan> {
  const inFlight = new Map<number, TaskRow>();
  for (const status of [PULLED, RUNNING] as const) {
    let after = -1;
    for (;;) {
      const page = await store.listTasks(instanceId, { status, limit: PAGE, afterSeq: after });
      for (const r of page) inFlight.set(r.seq, r);
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.seq;
    }
  }
  const kept = new Map<number, KeptTask>();
  const expected = new Set<string>();
  let after = -1;
  for (;;) {
    const page = await store.listDispatches(instanceId, after, PAGE);
    for (const rec of page) {
      if (rec.workerId === ownWorkerId) continue;
      expected.add(rec.workerId);
      for (let i = 0; i < rec.seqs.length; i++) {
        const row = inFlight.get(rec.seqs[i]!);
        if (!row || row.worker !== rec.worker || row.attempt !== rec.attempts[i]) continue;
        kept.set(row.seq, {
          seq: row.seq, taskId: row.taskId, name: row.name, body: row.body, attempt: row.attempt, failures: row.failures,
          workerId: rec.workerId, worker: rec.worker,
        });
      }
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  return { kept: [...kept.values()], expected };
}

/**
 * B28: the part of a plan the resumed cycle can hold — at most `maxTasks`
 * kept tasks (the task table's capacity) under at most `maxWorkers` old
 * worker keys (placeholders in the worker table, leaving room for the
 * workers that register). What does not fit is not kept: the resume reset
 * treats it as any task in flight (failed over, or failed with failover off),
 * rather than leave a row PULLED that nobody holds and the instance waiting
 * for it forever.
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
  return kept.length === plan.kept.length ? plan : { kept, expected: plan.expected };
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
