/**
 * Tasks taken back in bulk: a dead worker's (resetWorkerTasks), a killed instance's
 * (failUnfinished) and a resumed instance's (resetForResume).
 */
import assert from "node:assert/strict";
import { FAILED, INIT, PULLED, RUNNING, SUCCESS } from "../../../core-as/shared/constants.ts";
import { newInstance, OWNER_A, pick, tasks, W1, W2, type StoreTest } from "./fixtures.ts";
import { FIXTURE_STATES, workerFixture, taskStates, drain } from "./worker-fixture.ts";

/** Registers the tests of this part of the suite with `test`. */
export function registerWorkerResetTests(test: StoreTest): void {
  test("resetWorkerTasks to INIT: only that worker's PULLED and RUNNING tasks, attempt + 1, worker null", async (store) => {
    const { fence, id } = await workerFixture(store);
    const changed = await store.resetWorkerTasks(fence, W1, { status: INIT, queued: true });
    assert.equal(changed, 2);
    assert.deepEqual(await taskStates(store, id), {
      ...FIXTURE_STATES,
      "t-1": [INIT, 1, null, null],
      "t-2": [INIT, 3, null, null],
    });
    assert.equal(await store.resetWorkerTasks(fence, W1, { status: INIT, queued: true }), 0);
  });

  test("resetWorkerTasks to INIT respects queued: queued=false tasks come back from claimInit, queued=true do not", async (store) => {
    const held = await workerFixture(store);
    await drain(store, held.fence); // the fixture's own claimable INIT tasks
    await store.resetWorkerTasks(held.fence, W1, { status: INIT, queued: true });
    assert.deepEqual(await store.claimInit(held.fence, 100), []);

    const released = await workerFixture(store);
    await drain(store, released.fence);
    await store.resetWorkerTasks(released.fence, W1, { status: INIT, queued: false });
    const claimed = await store.claimInit(released.fence, 100);
    assert.deepEqual(claimed.map((t) => [t.taskId, t.status, t.attempt, t.worker]), [
      ["t-1", INIT, 1, null],
      ["t-2", INIT, 3, null],
    ]);
    assert.deepEqual(await store.claimInit(released.fence, 100), []);
  });

  test("resetWorkerTasks to FAILED stores the result on that worker's PULLED and RUNNING tasks only", async (store) => {
    const { fence, id } = await workerFixture(store);
    const changed = await store.resetWorkerTasks(fence, W2, { status: FAILED, result: { error: "worker lost" } });
    assert.equal(changed, 2);
    assert.deepEqual(await taskStates(store, id), {
      ...FIXTURE_STATES,
      "t-5": [FAILED, 0, W2, { error: "worker lost" }],
      "t-6": [FAILED, 1, W2, { error: "worker lost" }],
    });
    assert.equal(await store.resetWorkerTasks(fence, W2, { status: FAILED, result: "again" }), 0);
    assert.equal(await store.resetWorkerTasks(fence, "nobody#1", { status: INIT, queued: false }), 0);
  });

  test("resetWorkerTasks follows a task to its latest worker and status", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 5));
    await store.setStatus(fence, [0, 1, 2, 3, 4], PULLED, W1);
    await store.updateStatuses(fence, [{ seq: 0, status: RUNNING, attempt: 0, worker: W2 }]); // moved to W2
    await store.setStatus(fence, [1], RUNNING, W1); // still W1's
    await store.setStatus(fence, [2], SUCCESS, W1); // finished
    await store.setStatus(fence, [3], INIT, null); // back home
    await store.setStatus(fence, [3], PULLED, W2); // and out to W2
    assert.equal(await store.resetWorkerTasks(fence, W1, { status: FAILED, result: "W1 lost" }), 2);
    assert.deepEqual(pick(await store.getTask(id, "t-1")), [FAILED, 0, W1, "W1 lost"]);
    assert.deepEqual(pick(await store.getTask(id, "t-4")), [FAILED, 0, W1, "W1 lost"]);
    assert.deepEqual(pick(await store.getTask(id, "t-2")), [SUCCESS, 0, W1, null]);
    assert.equal(await store.resetWorkerTasks(fence, W2, { status: INIT, queued: false }), 2);
    assert.deepEqual(pick(await store.getTask(id, "t-0")), [INIT, 1, null, null]);
    assert.deepEqual(pick(await store.getTask(id, "t-3")), [INIT, 1, null, null]);
    assert.deepEqual((await store.claimInit(fence, 10)).map((t) => t.seq), [0, 3]);
  });

  test("failUnfinished fails INIT, PULLED and RUNNING tasks with the result, leaves finished ones, returns the count", async (store) => {
    const { fence, id } = await workerFixture(store);
    const changed = await store.failUnfinished(fence, "killed");
    assert.equal(changed, 9);
    const states = await taskStates(store, id);
    for (const [taskId, [status, attempt, worker, result]] of Object.entries(FIXTURE_STATES)) {
      const finished = status === SUCCESS || status === FAILED;
      assert.deepEqual(states[taskId], finished ? [status, attempt, worker, result] : [FAILED, attempt, worker, "killed"], taskId);
    }
    assert.deepEqual(await store.claimInit(fence, 100), []);
    assert.equal(await store.failUnfinished(fence, "killed"), 0);
  });

  test("resetForResume with failover: PULLED/RUNNING back to INIT with attempt + 1, every INIT task claimable", async (store) => {
    const { fence, id } = await workerFixture(store);
    await store.claimInit(fence, 1); // t-0 queued now, like t-7
    await store.resetForResume(fence, true, "master restarted");
    assert.deepEqual(await taskStates(store, id), {
      ...FIXTURE_STATES,
      "t-1": [INIT, 1, null, null],
      "t-2": [INIT, 3, null, null],
      "t-5": [INIT, 1, null, null],
      "t-6": [INIT, 2, null, null],
    });
    const claimed = await store.claimInit(fence, 100);
    assert.deepEqual(claimed.map((t) => t.taskId), ["t-0", "t-1", "t-2", "t-5", "t-6", "t-7", "t-8", "t-10", "t-11"]);
  });

  test("resetForResume without failover: PULLED/RUNNING fail with the result, every INIT task claimable", async (store) => {
    const { fence, id } = await workerFixture(store);
    await store.resetForResume(fence, false, { error: "master restarted" });
    const lost = { error: "master restarted" };
    assert.deepEqual(await taskStates(store, id), {
      ...FIXTURE_STATES,
      "t-1": [FAILED, 0, W1, lost],
      "t-2": [FAILED, 2, W1, lost],
      "t-5": [FAILED, 0, W2, lost],
      "t-6": [FAILED, 1, W2, lost],
    });
    const claimed = await store.claimInit(fence, 100);
    assert.deepEqual(claimed.map((t) => t.taskId), ["t-0", "t-7", "t-8", "t-10", "t-11"]);
  });
}
