/**
 * Tasks taken back in bulk: a killed instance's (failUnfinished) and a resumed
 * instance's (resetForResume). A dead worker's tasks the master fails over by
 * their seqs (updateStatuses): no row names its worker while it runs them (B3).
 */
import assert from "node:assert/strict";
import { FAILED, INIT, SUCCESS } from "../../../core-as/shared/constants.ts";
import { W1, W2, type StoreTest } from "./fixtures.ts";
import { FIXTURE_STATES, workerFixture, taskStates } from "./worker-fixture.ts";

/** Registers the tests of this part of the suite with `test`. */
export function registerWorkerResetTests(test: StoreTest): void {
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
