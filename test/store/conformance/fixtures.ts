/**
 * What every part of the TaskStore conformance suite builds its tests from:
 * the registration signature, owners and workers, instance and task specs,
 * and reads that compare whole states at once.
 */
import assert from "node:assert/strict";
import type { JsonValue } from "../../../src/protocol/messages.ts";
import type { Fence, NewInstance, NewTask, StatusCount, TaskRow, TaskStatusCode, TaskStore } from "../../../src/store/task-store.ts";

/** What a test may ask its host for besides its store. */
export interface StoreTestContext {
  /**
   * Opens a second store on the same database as the test's store (another
   * process, master or tab), closed after the test; null when the backend has
   * no such thing (memory): tests of races between stores then race calls on
   * the one store.
   */
  readonly twin: (() => Promise<TaskStore>) | null;
}

/** Registers one test that gets a fresh store, closed after it (runStoreSuite's wrapper). */
export type StoreTest = (name: string, fn: (store: TaskStore, cx: StoreTestContext) => Promise<void>) => void;

export const OWNER_A = "master-a";
export const OWNER_B = "master-b";
// Two incarnations of one worker: keys share a prefix, so matching must be exact.
export const W1 = "worker-1@10.0.0.1:7000#1";
export const W2 = "worker-1@10.0.0.1:7000#12";

/** A new instance with a fresh id; `over` replaces fields. */
export function newInstance(over: Partial<NewInstance> = {}): NewInstance {
  return {
    instanceId: crypto.randomUUID(),
    processor: "wordCount",
    settings: { dispatchMode: "push", pageSize: 100 },
    params: { input: "s3://bucket/key" },
    serialNum: 0,
    createdAt: 1_700_000_000_000,
    ...over,
  };
}

/** Task `t-<seq>`, a "shard" child of "t-root", unqueued; `over` replaces fields. */
export function task(seq: number, over: Partial<NewTask> = {}): NewTask {
  return { seq, taskId: `t-${seq}`, parentId: "t-root", name: "shard", body: { n: seq }, queued: false, ...over };
}

/** `count` tasks from seq `from`, queued and named by seq when `how` says so. */
export function tasks(
  from: number, count: number,
  how: { queued?: (seq: number) => boolean; name?: (seq: number) => string } = {},
): NewTask[] {
  return range(from, from + count).map((seq) => task(seq, {
    queued: how.queued?.(seq) ?? false,
    name: how.name?.(seq) ?? "shard",
  }));
}

/** The integers from `from` up to, not including, `to`. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** Every row of an async iterable, in order. */
export async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/** [status, attempt, worker, result] of a task; all undefined when there is no task. */
export type State = [TaskStatusCode | undefined, number | undefined, string | null | undefined, JsonValue | undefined];

/** [status, attempt, worker, result] of a task. */
export function pick(t: TaskRow | null): State {
  return [t?.status, t?.attempt, t?.worker, t?.result];
}

/** "name/status" → count. */
export async function countMap(store: TaskStore, id: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of await store.countByStatus(id)) {
    assert.ok(c.count > 0, `countByStatus lists an empty pair ${c.name}/${c.status}`);
    out[`${c.name}/${c.status}`] = c.count;
  }
  return out;
}

/** Counts in one order, since backends may list them in any. */
export function sortCounts(counts: StatusCount[]): StatusCount[] {
  return [...counts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.status - b.status));
}

/**
 * Sets `status` and `worker` (and updatedAt when `at` is given) on the stored
 * tasks among `seqs`, each keeping its attempt: one updateStatuses, as the
 * master writes a task's status. Seqs not stored are skipped.
 */
export async function setRows(
  store: TaskStore, fence: Fence, seqs: readonly number[], status: TaskStatusCode, worker: string | null, at?: number,
): Promise<void> {
  const attempts = new Map<number, number>();
  for (let after = -1; ;) {
    const page = await store.listTasks(fence.instanceId, { limit: 1000, afterSeq: after });
    for (const r of page) attempts.set(r.seq, r.attempt);
    if (page.length < 1000) break;
    after = page[page.length - 1]!.seq;
  }
  const updates = seqs.filter((seq) => attempts.has(seq))
    .map((seq) => ({ seq, status, attempt: attempts.get(seq)!, worker, ...(at === undefined ? {} : { at }) }));
  await store.updateStatuses(fence, updates);
}
