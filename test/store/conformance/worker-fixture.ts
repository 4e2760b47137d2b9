/**
 * An instance whose twelve tasks cover every status on two workers, and what
 * the tests that start from it read and write: the states to compare with, a
 * snapshot of everything a read can see, and one call of every write method.
 */
import assert from "node:assert/strict";
import { FAILED, INIT, PULLED, RUNNING, SUCCESS } from "../../../core-as/shared/constants.ts";
import type { Fence, TaskRow, TaskStore } from "../../../src/store/task-store.ts";
import { collect, newInstance, OWNER_A, pick, sortCounts, task, tasks, W1, W2, type State } from "./fixtures.ts";

/** Task states of `workerFixture`: every status, both workers, some queued. */
export const FIXTURE_STATES: Readonly<Record<string, State>> = {
  "t-0": [INIT, 0, null, null], // claimable
  "t-1": [PULLED, 0, W1, null],
  "t-2": [RUNNING, 2, W1, null],
  "t-3": [SUCCESS, 0, W1, "ok"],
  "t-4": [FAILED, 1, W1, "no"],
  "t-5": [PULLED, 0, W2, null],
  "t-6": [RUNNING, 1, W2, null],
  "t-7": [INIT, 0, null, null], // queued by the owner
  "t-8": [INIT, 0, W1, null], // INIT yet naming W1: not in flight
  "t-9": [SUCCESS, 0, W2, { v: 9 }],
  "t-10": [INIT, 0, null, null], // queued by the owner
  "t-11": [INIT, 4, null, null], // claimable
};

/** A new instance of OWNER_A holding the tasks of FIXTURE_STATES. */
export async function workerFixture(store: TaskStore): Promise<{ fence: Fence; id: string }> {
  const fence = await store.createInstance(newInstance(), OWNER_A);
  await store.insertTasks(fence, tasks(0, 12, { queued: (seq) => seq === 7 || seq === 10 }));
  await store.updateStatuses(fence, Object.entries(FIXTURE_STATES).map(([taskId, [status, attempt, worker, result]]) => ({
    seq: Number(taskId.slice(2)), status: status!, attempt: attempt!, worker: worker ?? null,
    ...(result === null ? {} : { result: result! }),
  })));
  assert.deepEqual(await taskStates(store, fence.instanceId), FIXTURE_STATES);
  return { fence, id: fence.instanceId };
}

/** The states of the fixture's tasks as stored now. */
export async function taskStates(store: TaskStore, id: string): Promise<Record<string, State>> {
  const out: Record<string, State> = {};
  for (const taskId of Object.keys(FIXTURE_STATES)) out[taskId] = pick(await store.getTask(id, taskId));
  return out;
}

/** Claims until nothing is left. */
export async function drain(store: TaskStore, fence: Fence): Promise<void> {
  while ((await store.claimInit(fence, 100)).length > 0);
}

/** Everything a read can see of an instance (claimability aside). */
export async function snapshot(store: TaskStore, id: string) {
  const tasks: (TaskRow | null)[] = [];
  for (const taskId of [...Object.keys(FIXTURE_STATES), "t-99"]) tasks.push(await store.getTask(id, taskId));
  return {
    record: await store.getInstance(id),
    tasks,
    counts: sortCounts(await store.countByStatus(id)),
    maxSeq: await store.maxSeq(id),
    results: await collect(store.results(id, 5)),
    listed: await store.listTasks(id, { limit: 100 }),
  };
}

/** One call of every write method, with `fence`. */
export function writes(fence: Fence): Array<[string, (store: TaskStore) => Promise<unknown>]> {
  return [
    ["updateInstance", (s) => s.updateInstance(fence, { status: "FAILED", result: "stale", finishedAt: 1 })],
    ["insertTasks", (s) => s.insertTasks(fence, [task(99), task(0, { body: "stale" })])],
    ["updateStatuses", (s) => s.updateStatuses(fence, [{ seq: 0, status: SUCCESS, attempt: 5, worker: W2, result: "stale" }])],
    ["failUnfinished", (s) => s.failUnfinished(fence, "stale")],
    ["resetForResume with failover", (s) => s.resetForResume(fence, true, "stale")],
    ["resetForResume without failover", (s) => s.resetForResume(fence, false, "stale")],
    ["claimInit", (s) => s.claimInit(fence, 100)],
    ["clearTasks", (s) => s.clearTasks(fence)],
    ["retryFailed", (s) => s.retryFailed(fence)],
    ["updateStatuses with failure fields", (s) => s.updateStatuses(fence, [
      { seq: 4, status: INIT, attempt: 2, worker: null, failures: 3, notBefore: 9, error: { message: "stale" }, at: 9 },
    ])],
    ["updateStatuses with at", (s) => s.updateStatuses(fence, [{ seq: 0, status: PULLED, attempt: 0, worker: W1, at: 9 }])],
    ["updateInstance of the failure fields", (s) => s.updateInstance(fence, {
      failedCount: 9, errors: [{ taskId: "t-4", name: "shard", attempt: 1, worker: W1, message: "stale" }], startedAt: 9, retainUntil: 9,
    })],
  ];
}
