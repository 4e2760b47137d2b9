/**
 * claimInit: which INIT tasks it hands out, in which order, once each, also under races.
 */
import assert from "node:assert/strict";
import { FAILED, INIT, PULLED, RUNNING, SUCCESS } from "../../../core-as/shared/constants.ts";
import type { TaskRow } from "../../../src/store/task-store.ts";
import { countMap, newInstance, OWNER_A, pick, range, setRows, task, tasks, W1, type StoreTest } from "./fixtures.ts";

/** Registers the tests of this part of the suite with `test`. */
export function registerClaimTests(test: StoreTest): void {
  test("claimInit hands out unqueued INIT tasks lowest seq first, each once, marked queued but still INIT", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    // Stored out of order, some queued by the owner already.
    await store.insertTasks(fence, tasks(10, 10));
    await store.insertTasks(fence, tasks(0, 10, { queued: (seq) => seq % 3 === 0 }));
    const first = await store.claimInit(fence, 4);
    assert.deepEqual(first.map((t) => t.seq), [1, 2, 4, 5]);
    assert.deepEqual(first[0], {
      seq: 1, taskId: "t-1", parentId: "t-root", name: "shard", body: { n: 1 },
      status: INIT, attempt: 0, worker: null, result: null, failures: 0, notBefore: null, error: null, updatedAt: 0,
    } satisfies TaskRow);
    assert.deepEqual(pick(await store.getTask(id, "t-1")), [INIT, 0, null, null]);
    const rest = await store.claimInit(fence, 1000);
    assert.deepEqual(rest.map((t) => t.seq), [7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    assert.deepEqual(await store.claimInit(fence, 10), []);
    // A task that comes back unqueued (run again after it failed) takes its place by seq again.
    await setRows(store, fence, [15, 2], FAILED, W1);
    assert.equal(await store.retryFailed(fence), 2);
    assert.deepEqual((await store.claimInit(fence, 10)).map((t) => [t.seq, t.attempt]), [[2, 1], [15, 1]]);
  });

  test("claimInit skips tasks that are not INIT and tasks inserted as queued", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(fence, tasks(0, 8));
    await store.insertTasks(fence, tasks(8, 4, { queued: () => true }));
    await store.updateStatuses(fence, [
      { seq: 0, status: PULLED, attempt: 0, worker: W1 },
      { seq: 1, status: RUNNING, attempt: 0, worker: W1 },
      { seq: 2, status: SUCCESS, attempt: 0, worker: W1, result: 1 },
      { seq: 3, status: FAILED, attempt: 0, worker: W1, result: 2 },
    ]);
    assert.deepEqual((await store.claimInit(fence, 100)).map((t) => t.seq), [4, 5, 6, 7]);
  });

  test("claimInit is atomic: concurrent claims never return the same task and together return all", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(fence, tasks(0, 50));
    const claims = await Promise.all([store.claimInit(fence, 20), store.claimInit(fence, 20), store.claimInit(fence, 20)]);
    const seqs = claims.flatMap((c) => c.map((t) => t.seq));
    assert.equal(new Set(seqs).size, seqs.length, "a task was claimed twice");
    assert.deepEqual([...seqs].sort((a, b) => a - b), range(0, 50));
    for (const c of claims) assert.deepEqual(c.map((t) => t.seq), [...c.map((t) => t.seq)].sort((a, b) => a - b));
    assert.deepEqual(await store.claimInit(fence, 20), []);
  });

  test("claimInit with limit 0 claims nothing", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(fence, tasks(0, 3));
    assert.deepEqual(await store.claimInit(fence, 0), []);
    assert.equal((await store.claimInit(fence, 5)).length, 3);
  });

  test("claimInit finds a task that becomes claimable again below tasks claimed already: set back to INIT unqueued, or inserted late with a low seq", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(fence, tasks(10, 10));
    await setRows(store, fence, [12, 15], PULLED, W1); // dispatched without a claim: still not queued
    assert.deepEqual((await store.claimInit(fence, 100)).map((t) => t.seq), [10, 11, 13, 14, 16, 17, 18, 19]);
    assert.deepEqual(await store.claimInit(fence, 100), []);
    await setRows(store, fence, [15], INIT, null);
    assert.deepEqual((await store.claimInit(fence, 100)).map((t) => t.seq), [15]);
    await store.updateStatuses(fence, [{ seq: 12, status: INIT, attempt: 1, worker: null }]);
    assert.deepEqual((await store.claimInit(fence, 100)).map((t) => [t.seq, t.attempt]), [[12, 1]]);
    await store.insertTasks(fence, [...tasks(3, 2), task(30, { queued: true }), task(25)]);
    assert.deepEqual((await store.claimInit(fence, 2)).map((t) => t.seq), [3, 4]);
    assert.deepEqual((await store.claimInit(fence, 2)).map((t) => t.seq), [25]);
    // Claimed tasks set back to INIT stay queued (the owner holds them): not handed out again.
    await setRows(store, fence, [10, 11], INIT, null);
    assert.deepEqual(await store.claimInit(fence, 100), []);
    await store.clearTasks(fence);
    await store.insertTasks(fence, tasks(0, 3));
    assert.deepEqual((await store.claimInit(fence, 100)).map((t) => t.seq), [0, 1, 2]);
  });

  test("concurrent writes to one instance do not undo each other: claims racing status updates hand each task out once", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 60));
    const evens = range(0, 60).filter((seq) => seq % 2 === 0);
    const [a, , b, , c] = await Promise.all([
      store.claimInit(fence, 25),
      store.updateStatuses(fence, evens.map((seq) => ({ seq, status: INIT, attempt: 1, worker: null }))),
      store.claimInit(fence, 25),
      setRows(store, fence, [1, 3, 5], INIT, null),
      store.claimInit(fence, 25),
    ]);
    const seqs = [a, b, c, await store.claimInit(fence, 100)].flatMap((claim) => claim.map((t) => t.seq));
    assert.equal(new Set(seqs).size, seqs.length, "a task was claimed twice");
    assert.deepEqual([...seqs].sort((x, y) => x - y), range(0, 60));
    for (const seq of evens) assert.equal((await store.getTask(id, `t-${seq}`))?.attempt, 1, `t-${seq}`);
    assert.deepEqual(await countMap(store, id), { "shard/1": 60 });
  });
}
