/**
 * insertTasks: what a stored task looks like, the one-byte-per-task mask, and why a retried
 * or repeated batch never stores a task twice.
 */
import assert from "node:assert/strict";
import { INIT, RUNNING, SUCCESS } from "../../../core-as/shared/constants.ts";
import { ValidationError } from "../../../src/errors/validation-error.ts";
import type { NewTask, TaskRow } from "../../../src/store/task-store.ts";
import { collect, countMap, newInstance, OWNER_A, pick, range, task, tasks, W1, W2, type StoreTest } from "./fixtures.ts";

/** Registers the tests of this part of the suite with `test`. */
export function registerInsertTests(test: StoreTest): void {
  test("insertTasks stores INIT tasks with attempt 0, no worker, a null result, no failures and updatedAt 0", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const batch = [
      task(0, { name: "ROOT", parentId: null, body: { root: true } }),
      task(1, { name: "shard", parentId: "t-0", body: [1, 2] }),
      task(2, { name: "shard", parentId: "t-0", body: "x", queued: true }),
    ];
    assert.deepEqual([...await store.insertTasks(fence, batch)], [1, 1, 1]);
    for (const t of batch) {
      assert.deepEqual(await store.getTask(fence.instanceId, t.taskId), {
        seq: t.seq, taskId: t.taskId, parentId: t.parentId, name: t.name, body: t.body,
        status: INIT, attempt: 0, worker: null, result: null, failures: 0, notBefore: null, error: null, updatedAt: 0,
      } satisfies TaskRow);
    }
  });

  test("insertTasks returns one byte per task in a Uint8Array; an empty batch stores nothing", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const empty = await store.insertTasks(fence, []);
    assert.ok(empty instanceof Uint8Array);
    assert.equal(empty.length, 0);
    assert.equal(await store.maxSeq(fence.instanceId), -1);
    const mask = await store.insertTasks(fence, tasks(0, 300));
    assert.ok(mask instanceof Uint8Array);
    assert.equal(mask.length, 300);
    assert.ok(mask.every((b) => b === 1));
  });

  test("insertTasks is idempotent: a task whose taskId exists is left as it is, marked 1 under its own seq and 0 under another", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(fence, [task(0), task(1, { body: { v: "original" } })]);
    await store.updateStatuses(fence, [{ seq: 0, status: SUCCESS, attempt: 2, worker: W1, result: "done" }]);
    const before = [await store.getTask(fence.instanceId, "t-0"), await store.getTask(fence.instanceId, "t-1")];
    const mask = await store.insertTasks(fence, [
      task(0, { body: { v: "again" } }),
      task(2),
      { ...task(1, { body: { v: "changed" }, name: "renamed" }), seq: 99 },
      task(3),
    ]);
    assert.deepEqual([...mask], [1, 1, 0, 1]);
    assert.deepEqual([await store.getTask(fence.instanceId, "t-0"), await store.getTask(fence.instanceId, "t-1")], before);
    assert.equal(await store.maxSeq(fence.instanceId), 3);
    assert.deepEqual(await countMap(store, fence.instanceId), { "shard/1": 3, "shard/4": 1 });
    // The same tasks again under their seqs are all ones; under fresh seqs all zeros. Neither changes anything.
    assert.deepEqual([...await store.insertTasks(fence, [task(2), task(3), task(0)])], [1, 1, 1]);
    assert.deepEqual([...await store.insertTasks(fence, [2, 3, 0].map((n, i) => ({ ...task(n), seq: 10 + i })))], [0, 0, 0]);
    assert.equal((await collect(store.results(fence.instanceId))).length, 4);
    assert.equal(await store.maxSeq(fence.instanceId), 3);
    assert.deepEqual([await store.getTask(fence.instanceId, "t-0"), await store.getTask(fence.instanceId, "t-1")], before);
  });

  test("insertTasks is retry-safe: a batch stored whole or in part by an earlier attempt comes back all ones, and nothing is stored twice", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    // Big enough to take several commits where a backend splits a batch; a third held by the owner.
    const n = 1500;
    const batch = tasks(0, n, { queued: (seq) => seq % 3 === 0 });
    // A first attempt stored a prefix (a batch committed in parts), another some scattered tasks.
    assert.ok((await store.insertTasks(fence, batch.slice(0, 400))).every((b) => b === 1));
    assert.ok((await store.insertTasks(fence, batch.filter((t) => t.seq % 7 === 5 && t.seq >= 400))).every((b) => b === 1));
    await store.updateStatuses(fence, [
      { seq: 1, status: SUCCESS, attempt: 0, worker: W1, result: "done" },
      { seq: 3, status: RUNNING, attempt: 1, worker: W2 },
    ]);
    const claimed = (await store.claimInit(fence, 10)).map((t) => t.seq);
    assert.deepEqual(claimed, [2, 4, 5, 7, 8, 10, 11, 13, 14, 16]);
    for (let attempt = 0; attempt < 2; attempt++) {
      const mask = await store.insertTasks(fence, batch);
      assert.equal(mask.length, n);
      assert.ok(mask.every((b) => b === 1), `attempt ${attempt}: ${mask.indexOf(0)} marked 0`);
    }
    assert.equal(await store.maxSeq(id), n - 1);
    assert.deepEqual(await countMap(store, id), { "shard/1": n - 2, "shard/3": 1, "shard/4": 1 });
    assert.deepEqual(pick(await store.getTask(id, "t-1")), [SUCCESS, 0, W1, "done"]);
    assert.deepEqual(pick(await store.getTask(id, "t-3")), [RUNNING, 1, W2, null]);
    // Queued flags are as the first store left them: claimed and owner-held tasks are not handed out.
    const rest = (await store.claimInit(fence, n)).map((t) => t.seq);
    assert.deepEqual(rest, range(0, n).filter((seq) => seq % 3 !== 0 && seq !== 1 && !claimed.includes(seq)));
    assert.equal((await collect(store.results(id))).length, n);
  });

  test("insertTasks of taskIds stored under other seqs (a parent run again) marks them 0 and stores nothing", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 5));
    const again = tasks(0, 5).map((t) => ({ ...t, seq: 100 + t.seq, body: "again", queued: true }));
    assert.deepEqual([...await store.insertTasks(fence, again)], [0, 0, 0, 0, 0]);
    assert.deepEqual([...await store.insertTasks(fence, again)], [0, 0, 0, 0, 0]);
    assert.equal(await store.maxSeq(id), 4);
    assert.deepEqual((await collect(store.results(id))).map((r) => r.taskId), range(0, 5).map((seq) => `t-${seq}`));
    for (let seq = 0; seq < 5; seq++) {
      const t = await store.getTask(id, `t-${seq}`);
      assert.deepEqual([t?.seq, t?.body], [seq, { n: seq }]);
    }
    assert.deepEqual((await store.claimInit(fence, 10)).map((t) => t.seq), range(0, 5));
  });

  test("insertTasks of a mixed batch: stored by an earlier attempt 1, under another seq 0, new 1, a repeat in the batch 0", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 3));
    const batch: NewTask[] = [
      task(1), // stored by an earlier attempt
      { ...task(0), seq: 20 }, // stored under another seq
      task(3), // new
      task(2), // stored by an earlier attempt
      { ...task(3), seq: 21 }, // repeats t-3 of this batch under another seq
      task(1), // repeats t-1 of this batch under the same seq
      task(4, { queued: true }), // new
    ];
    const expected = [1, 0, 1, 1, 0, 0, 1];
    assert.deepEqual([...await store.insertTasks(fence, batch)], expected);
    assert.deepEqual([...await store.insertTasks(fence, batch)], expected, "the same batch retried");
    assert.equal(await store.maxSeq(id), 4);
    assert.deepEqual([(await store.getTask(id, "t-0"))?.seq, (await store.getTask(id, "t-3"))?.seq], [0, 3]);
    assert.deepEqual(await countMap(store, id), { "shard/1": 5 });
    assert.deepEqual((await store.claimInit(fence, 10)).map((t) => t.seq), [0, 1, 2, 3]);
  });

  test("insertTasks with the same taskId twice in one batch: the first wins, the second is marked 0", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const mask = await store.insertTasks(fence, [
      task(0, { body: "first" }),
      task(1),
      { ...task(2, { body: "second", name: "other" }), taskId: "t-0" },
      task(3),
    ]);
    assert.deepEqual([...mask], [1, 1, 0, 1]);
    const t0 = await store.getTask(fence.instanceId, "t-0");
    assert.equal(t0?.seq, 0);
    assert.equal(t0?.body, "first");
    assert.equal(t0?.name, "shard");
    assert.deepEqual((await collect(store.results(fence.instanceId))).map((r) => r.taskId), ["t-0", "t-1", "t-3"]);
  });

  test("insertTasks refuses a seq another taskId holds with ValidationError and stores nothing of that batch", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 3));
    await assert.rejects(store.insertTasks(fence, [task(3), { ...task(1), taskId: "t-other" }, task(4)]), ValidationError);
    // Two new taskIds on one seq within a batch.
    await assert.rejects(store.insertTasks(fence, [task(5), { ...task(5), taskId: "t-also-5" }, task(7)]), ValidationError);
    assert.equal(await store.maxSeq(id), 2);
    for (const taskId of ["t-3", "t-other", "t-4", "t-5", "t-also-5", "t-7"]) assert.equal(await store.getTask(id, taskId), null, taskId);
    assert.deepEqual(await countMap(store, id), { "shard/1": 3 });
    assert.deepEqual((await store.claimInit(fence, 10)).map((t) => t.seq), [0, 1, 2]);
  });
}
