/**
 * Reads of an instance's tasks — countByStatus, maxSeq, getTask, results paged — and clearTasks.
 */
import assert from "node:assert/strict";
import { FAILED, INIT, PULLED, RUNNING, SUCCESS } from "../../../core-as/shared/constants.ts";
import type { Progress, ResultRow } from "../../../src/store/task-store.ts";
import { collect, countMap, newInstance, OWNER_A, pick, range, setRows, sortCounts, task, tasks, W1, W2, type StoreTest } from "./fixtures.ts";
import { workerFixture } from "./worker-fixture.ts";

/** Registers the tests of this part of the suite with `test`. */
export function registerReadTests(test: StoreTest): void {
  test("countByStatus counts tasks per name and status, omitting empty pairs", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(fence, [
      task(0, { name: "ROOT", parentId: null }),
      ...tasks(1, 6, { name: () => "a" }),
      ...tasks(7, 3, { name: () => "b" }),
    ]);
    await setRows(store, fence, [0], RUNNING, W1);
    await setRows(store, fence, [1, 2], SUCCESS, W1);
    await setRows(store, fence, [3], FAILED, W2);
    await setRows(store, fence, [4], PULLED, W2);
    await setRows(store, fence, [7, 8, 9], SUCCESS, W2);
    const counts = await store.countByStatus(fence.instanceId);
    assert.deepEqual(sortCounts(counts), sortCounts([
      { name: "ROOT", status: RUNNING, count: 1 },
      { name: "a", status: INIT, count: 2 },
      { name: "a", status: PULLED, count: 1 },
      { name: "a", status: SUCCESS, count: 2 },
      { name: "a", status: FAILED, count: 1 },
      { name: "b", status: SUCCESS, count: 3 },
    ]));
  });

  test("countByStatus agrees with the tasks themselves after every kind of write", async (store) => {
    const { fence, id } = await workerFixture(store);
    const check = async (after: string) => {
      const tally: Record<string, number> = {};
      for (const r of await collect(store.results(id, 5))) tally[`${r.name}/${r.status}`] = (tally[`${r.name}/${r.status}`] ?? 0) + 1;
      assert.deepEqual(await countMap(store, id), tally, `after ${after}`);
    };
    await check("the fixture");
    await store.insertTasks(fence, [...tasks(12, 3, { name: () => "other" }), task(0), task(15, { name: "ROOT" })]);
    await check("insertTasks");
    await store.claimInit(fence, 2);
    await check("claimInit");
    await setRows(store, fence, [0, 12, 3], RUNNING, W2);
    await check("updateStatuses of many rows");
    await store.updateStatuses(fence, [
      { seq: 12, status: SUCCESS, attempt: 0, worker: W2, result: 1 },
      { seq: 9, status: SUCCESS, attempt: 0, worker: W2 }, // same status again
      { seq: 13, status: PULLED, attempt: 0, worker: W1 },
      { seq: 99, status: FAILED, attempt: 0, worker: W1 }, // not stored
    ]);
    await check("updateStatuses");
    await store.retryFailed(fence);
    await check("retryFailed");
    await setRows(store, fence, [1, 2], PULLED, W1);
    await store.resetForResume(fence, true, "restart");
    await check("resetForResume with failover");
    await setRows(store, fence, [1], RUNNING, W1);
    await store.resetForResume(fence, false, "restart");
    await check("resetForResume without failover");
    await store.failUnfinished(fence, "killed");
    await check("failUnfinished");
    await store.clearTasks(fence);
    await check("clearTasks");
    await store.insertTasks(fence, tasks(0, 4));
    await check("insertTasks after clearTasks");
    assert.deepEqual(await countMap(store, id), { "shard/1": 4 });
  });

  test("maxSeq is -1 without tasks and the highest seq otherwise, whatever the insertion order", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    assert.equal(await store.maxSeq(fence.instanceId), -1);
    await store.insertTasks(fence, [task(5), task(100), task(7)]);
    assert.equal(await store.maxSeq(fence.instanceId), 100);
    await store.insertTasks(fence, [task(50)]);
    assert.equal(await store.maxSeq(fence.instanceId), 100);
    await store.insertTasks(fence, [task(0), task(1_000_000)]);
    assert.equal(await store.maxSeq(fence.instanceId), 1_000_000);
  });

  test("getTask finds one task by taskId, or returns null", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(fence, tasks(0, 5));
    const t3 = await store.getTask(fence.instanceId, "t-3");
    assert.equal(t3?.seq, 3);
    assert.deepEqual(t3?.body, { n: 3 });
    assert.equal(await store.getTask(fence.instanceId, "t-5"), null);
    assert.equal(await store.getTask(fence.instanceId, "T-3"), null);
    assert.equal(await store.getTask(fence.instanceId, ""), null);
  });

  test("results yields every task exactly once in seq order, page by page", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    // 50 rows stored in three batches out of seq order.
    await store.insertTasks(fence, tasks(20, 30));
    await store.insertTasks(fence, tasks(0, 10));
    await store.insertTasks(fence, tasks(10, 10));
    await store.updateStatuses(fence, [
      { seq: 3, status: SUCCESS, attempt: 0, worker: W1, result: { r: 3 } },
      { seq: 49, status: FAILED, attempt: 1, worker: W2, result: "bad" },
      { seq: 20, status: RUNNING, attempt: 0, worker: W1 },
    ]);
    const expected: ResultRow[] = range(0, 50).map((seq) => ({
      taskId: `t-${seq}`, name: "shard", status: INIT, result: null, error: null, attempt: 0,
    }));
    expected[3] = { taskId: "t-3", name: "shard", status: SUCCESS, result: { r: 3 }, error: null, attempt: 0 };
    expected[49] = { taskId: "t-49", name: "shard", status: FAILED, result: "bad", error: null, attempt: 1 };
    expected[20] = { taskId: "t-20", name: "shard", status: RUNNING, result: null, error: null, attempt: 0 };
    for (const pageSize of [7, 10, 1, 49, 50, 51, undefined]) {
      assert.deepEqual(await collect(store.results(id, pageSize)), expected, `pageSize ${pageSize}`);
    }
  });

  test("results keeps going when tasks are updated while it iterates, and yields each task once", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(fence, tasks(0, 50));
    const seen: string[] = [];
    let i = 0;
    for await (const row of store.results(fence.instanceId, 7)) {
      seen.push(row.taskId);
      // Finish a task ahead and one behind, as reports arriving during reduce would.
      await store.updateStatuses(fence, [
        { seq: (i + 9) % 50, status: SUCCESS, attempt: 0, worker: W1, result: { at: i } },
        { seq: i, status: FAILED, attempt: 0, worker: W1, result: "late" },
      ]);
      await setRows(store, fence, [(i + 3) % 50], RUNNING, W2);
      i++;
    }
    assert.deepEqual(seen, range(0, 50).map((seq) => `t-${seq}`));
  });

  test("results of an instance without tasks yields nothing", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    assert.deepEqual(await collect(store.results(fence.instanceId, 7)), []);
  });

  test("clearTasks deletes the tasks but keeps the record and its final progress", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 20));
    await setRows(store, fence, range(0, 20), SUCCESS, W1);
    const progress: Progress = {
      names: { shard: { total: 20, init: 0, pulled: 0, running: 0, success: 20, failed: 0 } },
      workers: { [W1]: { total: 20, pulled: 0, running: 0, success: 20, failed: 0 } },
    };
    await store.updateInstance(fence, { status: "SUCCESS", result: "all good", finishedAt: 1_700_000_100_000, progress });
    const before = await store.getInstance(id);
    await store.clearTasks(fence);
    assert.deepEqual(await store.getInstance(id), before);
    assert.deepEqual(before?.progress, progress);
    assert.equal(await store.getTask(id, "t-0"), null);
    assert.equal(await store.maxSeq(id), -1);
    assert.deepEqual(await store.countByStatus(id), []);
    assert.deepEqual(await collect(store.results(id)), []);
    assert.deepEqual(await store.claimInit(fence, 10), []);
    await store.clearTasks(fence); // nothing left: still fine
    // The taskIds are free again: a new cycle stores them anew.
    assert.deepEqual([...await store.insertTasks(fence, tasks(0, 3))], [1, 1, 1]);
    assert.deepEqual(pick(await store.getTask(id, "t-0")), [INIT, 0, null, null]);
  });
}
