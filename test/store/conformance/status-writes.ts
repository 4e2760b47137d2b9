/**
 * updateStatuses: the batch writes of status, attempt, worker and result.
 */
import assert from "node:assert/strict";
import { FAILED, INIT, PULLED, RUNNING, SUCCESS } from "../../../core-as/shared/constants.ts";
import { collect, countMap, newInstance, OWNER_A, pick, tasks, W1, W2, type StoreTest } from "./fixtures.ts";

/** Registers the tests of this part of the suite with `test`. */
export function registerStatusWriteTests(test: StoreTest): void {
  test("updateStatuses sets status, attempt and worker of many tasks, and the result only when given", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(fence, tasks(0, 6));
    await store.updateStatuses(fence, [
      { seq: 0, status: PULLED, attempt: 0, worker: W1 },
      { seq: 1, status: RUNNING, attempt: 1, worker: W2 },
      { seq: 2, status: SUCCESS, attempt: 0, worker: W1, result: { ok: [1, 2, 3] } },
      { seq: 3, status: FAILED, attempt: 4, worker: W2, result: "it broke" },
      { seq: 4, status: SUCCESS, attempt: 0, worker: W1, result: null },
    ]);
    const id = fence.instanceId;
    assert.deepEqual(pick(await store.getTask(id, "t-0")), [PULLED, 0, W1, null]);
    assert.deepEqual(pick(await store.getTask(id, "t-1")), [RUNNING, 1, W2, null]);
    assert.deepEqual(pick(await store.getTask(id, "t-2")), [SUCCESS, 0, W1, { ok: [1, 2, 3] }]);
    assert.deepEqual(pick(await store.getTask(id, "t-3")), [FAILED, 4, W2, "it broke"]);
    assert.deepEqual(pick(await store.getTask(id, "t-4")), [SUCCESS, 0, W1, null]);
    assert.deepEqual(pick(await store.getTask(id, "t-5")), [INIT, 0, null, null]);
    // No result given: the stored one stays; worker null is stored as null.
    await store.updateStatuses(fence, [{ seq: 2, status: FAILED, attempt: 3, worker: null }]);
    assert.deepEqual(pick(await store.getTask(id, "t-2")), [FAILED, 3, null, { ok: [1, 2, 3] }]);
    const t2 = await store.getTask(id, "t-2");
    assert.deepEqual([t2?.seq, t2?.parentId, t2?.name, t2?.body], [2, "t-root", "shard", { n: 2 }]);
  });

  test("updateStatuses ignores seqs that are not stored and changes nothing else", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 3));
    await store.updateStatuses(fence, [
      { seq: 1, status: PULLED, attempt: 0, worker: W1 },
      { seq: 7, status: PULLED, attempt: 0, worker: W1 },
      { seq: 2 ** 32, status: PULLED, attempt: 0, worker: W1 },
      { seq: Number.MAX_SAFE_INTEGER, status: PULLED, attempt: 0, worker: W1 },
    ]);
    await store.updateStatuses(fence, [
      { seq: 9, status: SUCCESS, attempt: 0, worker: W1, result: "ghost" },
      { seq: 2, status: SUCCESS, attempt: 0, worker: W1, result: "real" },
      { seq: 2 ** 32 + 2, status: FAILED, attempt: 0, worker: W2, result: "ghost" },
    ]);
    assert.equal(await store.maxSeq(id), 2);
    assert.deepEqual(await countMap(store, id), { "shard/1": 1, "shard/2": 1, "shard/4": 1 });
    assert.deepEqual(pick(await store.getTask(id, "t-2")), [SUCCESS, 0, W1, "real"]);
    assert.equal((await collect(store.results(id))).length, 3);
  });

  test("updateStatuses applies the updates of one seq in batch order: the last status wins, a result given earlier stays", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 3));
    await store.updateStatuses(fence, [
      { seq: 0, status: RUNNING, attempt: 0, worker: W1 },
      { seq: 1, status: PULLED, attempt: 0, worker: W1 },
      { seq: 0, status: SUCCESS, attempt: 0, worker: W1, result: "done" },
      { seq: 1, status: FAILED, attempt: 1, worker: W2, result: "first" },
      { seq: 1, status: RUNNING, attempt: 2, worker: W2 },
    ]);
    assert.deepEqual(pick(await store.getTask(id, "t-0")), [SUCCESS, 0, W1, "done"]);
    assert.deepEqual(pick(await store.getTask(id, "t-1")), [RUNNING, 2, W2, "first"]);
    assert.deepEqual(await countMap(store, id), { "shard/1": 1, "shard/3": 1, "shard/4": 1 });
  });
}
