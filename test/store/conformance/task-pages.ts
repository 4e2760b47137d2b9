/**
 * listTasks: one page of an instance's tasks in seq order, after a seq,
 * filtered by status and name, at most `limit`; paging a whole instance.
 */
import assert from "node:assert/strict";
import { FAILED, INIT, PULLED, RUNNING, SUCCESS } from "../../../core-as/shared/constants.ts";
import { ValidationError } from "../../../src/errors/validation-error.ts";
import type { TaskQuery, TaskRow, TaskStore } from "../../../src/store/task-store.ts";
import { newInstance, OWNER_A, range, setRows, tasks, W1, W2, type StoreTest } from "./fixtures.ts";

/**
 * Tasks of the big instance: 100,000 where the backend stores them fast
 * enough for a test (memory, SQLite), 5,000 elsewhere.
 */
function bigCount(store: TaskStore): number {
  return store.kind === "memory" || store.kind === "sqlite" ? 100_000 : 5_000;
}

/** Every page of `q` from the start, each checked to hold at most `limit` tasks in ascending seq after the last page's. */
async function pages(store: TaskStore, id: string, q: TaskQuery): Promise<{ seqs: number[]; pages: number; largest: number }> {
  const seqs: number[] = [];
  let after = q.afterSeq ?? -1;
  let count = 0;
  let largest = 0;
  for (;;) {
    const page = await store.listTasks(id, { ...q, afterSeq: after });
    assert.ok(page.length <= q.limit, `a page of ${page.length} tasks for limit ${q.limit}`);
    largest = Math.max(largest, page.length);
    for (const t of page) {
      assert.ok(t.seq > after, `seq ${t.seq} after ${after}`);
      after = t.seq;
      seqs.push(t.seq);
    }
    if (page.length === 0) return { seqs, pages: count, largest };
    count++;
  }
}

/** Registers the tests of this part of the suite with `test`. */
export function registerTaskPageTests(test: StoreTest): void {
  test("listTasks: tasks in seq order after afterSeq, at most limit, every field as getTask reads it", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    // Stored out of seq order, with gaps.
    await store.insertTasks(fence, tasks(20, 10).map((t) => ({ ...t, at: 5 })));
    await store.insertTasks(fence, tasks(0, 10));
    await store.updateStatuses(fence, [
      { seq: 3, status: FAILED, attempt: 1, worker: W1, result: "bad", failures: 2, notBefore: 9, error: { message: "m", stack: "s" }, at: 8 },
    ]);
    const all = await store.listTasks(id, { limit: 100 });
    assert.deepEqual(all.map((t) => t.seq), [...range(0, 10), ...range(20, 30)]);
    for (const t of all) assert.deepEqual(t, await store.getTask(id, t.taskId), t.taskId);
    assert.deepEqual(all[3], {
      seq: 3, taskId: "t-3", parentId: "t-root", name: "shard", body: { n: 3 }, status: FAILED, attempt: 1, worker: W1, result: "bad",
      failures: 2, notBefore: 9, error: { message: "m", stack: "s" }, updatedAt: 8,
    } satisfies TaskRow);
    assert.equal(all[15]?.updatedAt, 5);
    assert.deepEqual((await store.listTasks(id, { limit: 3 })).map((t) => t.seq), [0, 1, 2]);
    assert.deepEqual((await store.listTasks(id, { limit: 3, afterSeq: 8 })).map((t) => t.seq), [9, 20, 21]);
    assert.deepEqual((await store.listTasks(id, { limit: 100, afterSeq: 12 })).map((t) => t.seq), range(20, 30));
    assert.deepEqual((await store.listTasks(id, { limit: 100, afterSeq: -1 })).length, 20);
    assert.deepEqual(await store.listTasks(id, { limit: 5, afterSeq: 29 }), []);
    assert.deepEqual(await store.listTasks(id, { limit: 5, afterSeq: 2 ** 40 }), []);
    assert.deepEqual(await store.listTasks(crypto.randomUUID(), { limit: 5 }), []);
  });

  test("listTasks filters by status, by name, or both, and pages through the matches", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 60, { name: (seq) => (seq % 3 === 0 ? "split" : "leaf") }));
    await setRows(store, fence, range(0, 60).filter((seq) => seq % 4 === 1), RUNNING, W1);
    await store.updateStatuses(fence, range(0, 60).filter((seq) => seq % 5 === 2).map((seq) => ({
      seq, status: FAILED, attempt: 0, worker: W2, error: { message: `failed ${seq}` },
    })));
    const expect = (keep: (seq: number) => boolean) => range(0, 60).filter(keep);
    const status = (seq: number) => (seq % 5 === 2 ? FAILED : seq % 4 === 1 ? RUNNING : INIT);
    const name = (seq: number) => (seq % 3 === 0 ? "split" : "leaf");
    assert.deepEqual((await pages(store, id, { limit: 4, status: FAILED })).seqs, expect((s) => status(s) === FAILED));
    assert.deepEqual((await pages(store, id, { limit: 7, status: RUNNING })).seqs, expect((s) => status(s) === RUNNING));
    assert.deepEqual((await pages(store, id, { limit: 5, name: "split" })).seqs, expect((s) => name(s) === "split"));
    assert.deepEqual((await pages(store, id, { limit: 2, name: "leaf", status: INIT })).seqs,
      expect((s) => name(s) === "leaf" && status(s) === INIT));
    assert.deepEqual((await pages(store, id, { limit: 3, status: FAILED, afterSeq: 30 })).seqs,
      expect((s) => s > 30 && status(s) === FAILED));
    const failed = await store.listTasks(id, { limit: 2, status: FAILED, name: "leaf" });
    assert.deepEqual(failed.map((t) => [t.seq, t.error?.message]), [[2, "failed 2"], [7, "failed 7"]]);
    assert.deepEqual(await store.listTasks(id, { limit: 10, status: SUCCESS }), []);
    assert.deepEqual(await store.listTasks(id, { limit: 10, status: PULLED, name: "leaf" }), []);
    assert.deepEqual(await store.listTasks(id, { limit: 10, name: "nope" }), []);
    assert.deepEqual(await store.listTasks(id, { limit: 10, name: "" }), []);
  });

  test("listTasks pages through a big instance a bounded page at a time, whole and filtered", async (store) => {
    const n = bigCount(store);
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    const batch = 5_000;
    for (let from = 0; from < n; from += batch) await store.insertTasks(fence, tasks(from, Math.min(batch, n - from)));
    const failedSeqs = range(0, n).filter((seq) => seq % 997 === 13);
    await store.updateStatuses(fence, failedSeqs.map((seq) => ({ seq, status: FAILED, attempt: 0, worker: W1, error: { message: "x" } })));
    const whole = await pages(store, id, { limit: 1000 });
    assert.equal(whole.seqs.length, n);
    assert.ok(whole.seqs.every((seq, i) => seq === i), "every task once, in seq order");
    assert.deepEqual([whole.pages, whole.largest], [n / 1000, 1000]);
    // The few FAILED ones, ten at a time, found far apart in the instance.
    const failed = await pages(store, id, { limit: 10, status: FAILED });
    assert.deepEqual(failed.seqs, failedSeqs);
    assert.equal(failed.largest, Math.min(10, failedSeqs.length));
  });

  test("listTasks refuses bad queries with ValidationError naming the field", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(fence, tasks(0, 3));
    const bad: Array<[string, unknown]> = [
      ["limit", { limit: 0 }],
      ["limit", { limit: -5 }],
      ["limit", { limit: 2.5 }],
      ["limit", {}],
      ["afterSeq", { limit: 5, afterSeq: 1.5 }],
      ["afterSeq", { limit: 5, afterSeq: -2 }],
      ["afterSeq", { limit: 5, afterSeq: "3" }],
      ["status", { limit: 5, status: 9 }],
      ["name", { limit: 5, name: 7 }],
    ];
    for (const [field, q] of bad) {
      await assert.rejects(store.listTasks(fence.instanceId, q as TaskQuery), (e: unknown) => {
        assert.ok(e instanceof ValidationError, `${JSON.stringify(q)}: ${String(e)}`);
        assert.equal(e.field, field, JSON.stringify(q));
        return true;
      });
    }
  });
}
