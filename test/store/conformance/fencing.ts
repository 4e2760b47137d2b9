/**
 * Fencing tokens, isolation between instances, and bad arguments: writes that must change nothing.
 */
import assert from "node:assert/strict";
import { FAILED, PULLED } from "../../../core-as/shared/constants.ts";
import { ValidationError } from "../../../src/errors/validation-error.ts";
import { FencedError } from "../../../src/store/errors.ts";
import { collect, countMap, newInstance, OWNER_A, OWNER_B, pick, task, tasks, W1, type StoreTest, setRows } from "./fixtures.ts";
import { workerFixture, snapshot, writes } from "./worker-fixture.ts";

/** Registers the tests of this part of the suite with `test`. */
export function registerFencingTests(test: StoreTest): void {
  test("fencing: after acquireInstance by a second owner, every write with the old fence throws FencedError and changes nothing", async (store) => {
    const { fence: old, id } = await workerFixture(store);
    await store.updateInstance(old, { progress: { names: {}, workers: {} } });
    const fresh = await store.acquireInstance(id, OWNER_B);
    assert.equal(fresh.token, old.token + 1);
    const before = await snapshot(store, id);
    assert.equal(before.record?.owner, OWNER_B);

    for (const [name, write] of writes(old)) {
      await assert.rejects(write(store), (e: unknown) => {
        assert.ok(e instanceof FencedError, `${name}: expected FencedError, got ${String(e)}`);
        assert.deepEqual([e.instanceId, e.token, e.current], [id, old.token, fresh.token], name);
        return true;
      });
      assert.deepEqual(await snapshot(store, id), before, `${name} changed the store`);
    }
    // The old claimInit marked nothing queued: the new owner gets every claimable task.
    assert.deepEqual((await store.claimInit(fresh, 100)).map((t) => t.taskId), ["t-0", "t-8", "t-11"]);
    // And the new owner writes freely.
    await store.updateInstance(fresh, { status: "FAILED", result: "taken over" });
    assert.equal((await store.getInstance(id))?.status, "FAILED");
  });

  test("fencing: only the current token writes, not an older one nor one from the future", async (store) => {
    const first = await store.createInstance(newInstance(), OWNER_A);
    const id = first.instanceId;
    await store.acquireInstance(id, OWNER_B);
    const third = await store.acquireInstance(id, OWNER_A);
    assert.equal(third.token, 3);
    for (const token of [1, 2, 4, 0, -1]) {
      await assert.rejects(store.insertTasks({ instanceId: id, token }, [task(0)]), FencedError, `token ${token}`);
      await assert.rejects(store.updateInstance({ instanceId: id, token }, { status: "SUCCESS" }), FencedError);
    }
    assert.equal(await store.maxSeq(id), -1);
    assert.equal((await store.getInstance(id))?.status, "RUNNING");
    assert.deepEqual([...await store.insertTasks(third, [task(0)])], [1]);
  });

  test("instances are isolated: the same taskIds and seqs in two instances never meet", async (store) => {
    const a = await store.createInstance(newInstance(), OWNER_A);
    const b = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(a, tasks(0, 10));
    assert.deepEqual([...await store.insertTasks(b, tasks(0, 5, { name: () => "other" }))], [1, 1, 1, 1, 1]);
    await setRows(store, a, [0, 1], PULLED, W1);
    await setRows(store, b, [0], PULLED, W1);
    await store.resetForResume(a, false, "a only");
    assert.deepEqual(pick(await store.getTask(a.instanceId, "t-0")), [FAILED, 0, W1, "a only"]);
    assert.deepEqual(pick(await store.getTask(b.instanceId, "t-0")), [PULLED, 0, W1, null]);
    assert.deepEqual((await store.claimInit(a, 3)).map((t) => t.seq), [2, 3, 4]);
    assert.deepEqual((await store.claimInit(b, 3)).map((t) => t.seq), [1, 2, 3]);
    assert.equal(await store.failUnfinished(a, "a killed"), 8);
    assert.deepEqual(await countMap(store, b.instanceId), { "other/1": 4, "other/2": 1 });
    await store.updateInstance(a, { status: "FAILED", result: "a killed" });
    assert.equal((await store.getInstance(b.instanceId))?.status, "RUNNING");
    await store.acquireInstance(a.instanceId, OWNER_B);
    assert.deepEqual([...await store.insertTasks(b, [task(5)])], [1]); // b's fence still holds
    await store.clearTasks(b);
    assert.equal(await store.maxSeq(a.instanceId), 9);
    assert.equal(await store.maxSeq(b.instanceId), -1);
    assert.equal((await collect(store.results(a.instanceId))).length, 10);
    assert.deepEqual((await store.getTask(a.instanceId, "t-9"))?.name, "shard");
  });

  test("bad arguments are refused with ValidationError and change nothing", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await assert.rejects(store.listInstances({ limit: -1 }), ValidationError);
    await assert.rejects(store.listInstances({ limit: 1.5 }), ValidationError);
    await assert.rejects(store.insertTasks(fence, [task(0), task(1.5)]), ValidationError);
    await assert.rejects(store.insertTasks(fence, [task(0), task(-1)]), ValidationError);
    assert.equal(await store.maxSeq(id), -1, "a refused batch stored part of itself");
    await store.insertTasks(fence, tasks(0, 3));
    await assert.rejects(store.updateStatuses(fence, [
      { seq: 0, status: PULLED, attempt: 0, worker: W1 },
      { seq: Number.NaN, status: PULLED, attempt: 0, worker: W1 },
    ]), ValidationError);
    await assert.rejects(store.claimInit(fence, -1), ValidationError);
    await assert.rejects(store.claimInit(fence, 2.5), ValidationError);
    for (const pageSize of [0, -3, 1.5]) {
      // A sync throw at the call and a rejection at the first read both count.
      await assert.rejects(async () => collect(store.results(id, pageSize)), ValidationError, `pageSize ${pageSize}`);
    }
    assert.deepEqual(await countMap(store, id), { "shard/1": 3 });
    assert.equal((await store.claimInit(fence, 10)).length, 3);
  });
}
