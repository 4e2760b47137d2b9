/**
 * Batches of thousands of tasks in one call each: a backend that splits a batch must land it exactly.
 */
import assert from "node:assert/strict";
import { FAILED, PULLED, RUNNING, SUCCESS } from "../../../core-as/shared/constants.ts";
import type { NewTask } from "../../../src/store/task-store.ts";
import { collect, countMap, newInstance, OWNER_A, pick, range, setRows, task, tasks, W1, W2, type StoreTest, type State } from "./fixtures.ts";

/** Registers the tests of this part of the suite with `test`. */
export function registerBatchTests(test: StoreTest): void {
  test("large batches: 2,500 tasks inserted, set PULLED and finished in one call each land exactly; a mixed re-insert marks only the new ones", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    const N = 2500;
    assert.ok((await store.insertTasks(fence, tasks(0, N))).every((b) => b === 1));
    await setRows(store, fence, range(0, N).reverse(), PULLED, W1);
    assert.deepEqual(await countMap(store, id), { "shard/2": N });
    // Every kind of update in one batch, shuffled: groups of status, attempt, worker, with and without results.
    const order = range(0, N).map((seq) => [(seq * 7919) % N, seq] as const).sort((a, b) => a[0] - b[0]).map(([, seq]) => seq);
    const expect = (seq: number): State => {
      const worker = seq % 5 === 0 ? null : seq % 2 === 0 ? W1 : W2;
      if (seq % 3 === 0) return [SUCCESS, seq % 4, worker, { r: seq, s: `ok-${seq}` }];
      if (seq % 3 === 1) return [FAILED, seq % 4, worker, `failed ${seq}`];
      return [RUNNING, seq % 4, worker, null];
    };
    await store.updateStatuses(fence, order.map((seq) => {
      const [status, attempt, worker, result] = expect(seq);
      return { seq, status: status!, attempt: attempt!, worker: worker ?? null, ...(result === null ? {} : { result: result! }) };
    }));
    const rows = await collect(store.results(id, 999));
    assert.equal(rows.length, N);
    for (let seq = 0; seq < N; seq++) {
      const want = expect(seq);
      assert.deepEqual([rows[seq]!.taskId, rows[seq]!.status, rows[seq]!.result], [`t-${seq}`, want[0], want[3]], `seq ${seq}`);
    }
    for (const seq of [0, 1, 2, 5, 1023, 1024, 2047, 2048, N - 1]) {
      assert.deepEqual(pick(await store.getTask(id, `t-${seq}`)), expect(seq), `seq ${seq}`);
    }
    // Existing taskIds under fresh seqs (a parent run again) interleaved with new tasks.
    const again: NewTask[] = [];
    for (let i = 0; i < 1000; i++) {
      again.push({ ...task(10_000 + i), taskId: `t-${1500 + i}`, body: "again" });
      again.push(task(N + i));
    }
    const mask = await store.insertTasks(fence, again);
    assert.deepEqual([...mask], again.map((_, i) => (i % 2 === 0 ? 0 : 1)));
    assert.equal(await store.maxSeq(id), N + 999);
    assert.deepEqual(pick(await store.getTask(id, "t-1500")), expect(1500));
    assert.equal((await store.getTask(id, "t-1500"))?.seq, 1500);
    assert.equal((await collect(store.results(id))).length, N + 1000);
  });

  test("batches of thousands: one call each inserts, claims, sets PULLED, fails over, updates and pages through 3,000 tasks", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    const n = 3000;
    const all = range(0, n);
    assert.ok((await store.insertTasks(fence, tasks(0, n))).every((b) => b === 1));
    assert.equal(await store.maxSeq(id), n - 1);
    assert.deepEqual((await store.claimInit(fence, 2500)).map((t) => t.seq), range(0, 2500));
    await setRows(store, fence, all, PULLED, W1);
    assert.deepEqual(await countMap(store, id), { "shard/2": n });
    await store.resetForResume(fence, true, "lost");
    const claimed = await store.claimInit(fence, n + 10);
    assert.deepEqual(claimed.map((t) => [t.seq, t.attempt]), all.map((seq) => [seq, 1]));
    await store.updateStatuses(fence, all.map((seq) => ({ seq, status: SUCCESS, attempt: 1, worker: W2, result: { seq } })));
    assert.deepEqual(await countMap(store, id), { "shard/4": n });
    for (const pageSize of [1500, undefined]) {
      const rows = await collect(store.results(id, pageSize));
      assert.deepEqual(rows.map((r) => r.result), all.map((seq) => ({ seq })), `pageSize ${pageSize}`);
    }
    await setRows(store, fence, all, RUNNING, W2);
    assert.equal(await store.failUnfinished(fence, "killed"), n);
    assert.deepEqual(await countMap(store, id), { "shard/5": n });
    await store.resetForResume(fence, true, "lost"); // nothing in flight any more
    assert.deepEqual(await countMap(store, id), { "shard/5": n });
    assert.ok((await store.insertTasks(fence, tasks(0, n))).every((b) => b === 1));
    assert.ok((await store.insertTasks(fence, tasks(0, n).map((t) => ({ ...t, seq: n + t.seq })))).every((b) => b === 0));
    assert.deepEqual(await countMap(store, id), { "shard/5": n });
    assert.equal(await store.maxSeq(id), n - 1);
    await store.clearTasks(fence);
    assert.equal(await store.maxSeq(id), -1);
    assert.deepEqual(await store.countByStatus(id), []);
  });
}
