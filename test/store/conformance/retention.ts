/**
 * sweepRetained: the tasks finished instances retain until their
 * retainUntil, swept once it is due; never a RUNNING instance's; idempotent;
 * two stores (or two calls) sweeping at once do the work once.
 */
import assert from "node:assert/strict";
import { SUCCESS } from "../../../core-as/shared/constants.ts";
import { ValidationError } from "../../../src/errors/validation-error.ts";
import type { Fence, InstanceStatus, TaskStore } from "../../../src/store/task-store.ts";
import { collect, newInstance, OWNER_A, OWNER_B, tasks, W1, type StoreTest, setRows } from "./fixtures.ts";

/** Past every retainUntil a test sets. */
const LATER = 9_000_000_000_000;
const T = 1_800_000_000_000;

/**
 * Sweeps whatever earlier tests left due in a shared store (a PostgreSQL
 * schema, a database file), so a test's counts are its own.
 */
async function sweepLeftovers(store: TaskStore): Promise<void> {
  while (await store.sweepRetained(LATER, 1000) > 0);
}

/** An instance with `n` tasks, finished with `status` and retaining them until `retainUntil`. */
async function finished(store: TaskStore, status: InstanceStatus, retainUntil: number | null, n = 3): Promise<Fence> {
  const fence = await store.createInstance(newInstance(), OWNER_A);
  await store.insertTasks(fence, tasks(0, n));
  await setRows(store, fence, Array.from({ length: n }, (_, i) => i), SUCCESS, W1);
  await store.updateInstance(fence, { status, finishedAt: T, retainUntil, progress: { names: {}, workers: {} } });
  return fence;
}

/** Whether the instance still holds its tasks. */
async function holdsTasks(store: TaskStore, id: string): Promise<boolean> {
  return (await store.maxSeq(id)) >= 0;
}

/** Registers the tests of this part of the suite with `test`. */
export function registerRetentionTests(test: StoreTest): void {
  test("sweepRetained deletes the tasks of finished instances whose retainUntil is due, sets it to null, and keeps the record", async (store) => {
    await sweepLeftovers(store);
    const done = await finished(store, "SUCCESS", T + 10);
    const failed = await finished(store, "FAILED", T + 20);
    const later = await finished(store, "SUCCESS", T + 1_000);
    const kept = await finished(store, "FAILED", null);
    const before = await store.getInstance(done.instanceId);
    assert.equal(await store.sweepRetained(T + 9), 0);
    assert.equal(await holdsTasks(store, done.instanceId), true);
    assert.equal(await store.sweepRetained(T + 20), 2);
    for (const f of [done, failed]) {
      const id = f.instanceId;
      assert.equal(await store.maxSeq(id), -1);
      assert.deepEqual(await store.countByStatus(id), []);
      assert.deepEqual(await collect(store.results(id)), []);
      assert.deepEqual(await store.listTasks(id, { limit: 10 }), []);
      assert.equal(await store.getTask(id, "t-0"), null);
      assert.equal((await store.getInstance(id))?.retainUntil, null);
    }
    assert.deepEqual(await store.getInstance(done.instanceId), { ...before, retainUntil: null });
    assert.equal(await holdsTasks(store, later.instanceId), true);
    assert.equal(await holdsTasks(store, kept.instanceId), true);
    // Idempotent: nothing is due twice.
    assert.equal(await store.sweepRetained(T + 20), 0);
    assert.equal(await store.sweepRetained(T + 1_000), 1);
    assert.equal(await holdsTasks(store, later.instanceId), false);
    assert.equal(await store.sweepRetained(LATER), 0);
    assert.equal(await holdsTasks(store, kept.instanceId), true);
    // The owner may store tasks again (a later cycle) and retain them anew.
    assert.deepEqual([...await store.insertTasks(done, tasks(0, 2))], [1, 1]);
    await store.updateInstance(done, { retainUntil: T + 2_000 });
    assert.equal(await store.sweepRetained(T + 2_000), 1);
    assert.equal(await holdsTasks(store, done.instanceId), false);
  });

  test("sweepRetained never touches a RUNNING instance, whatever its retainUntil, nor one whose retainUntil was moved or cleared", async (store) => {
    await sweepLeftovers(store);
    const running = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(running, tasks(0, 2));
    await store.updateInstance(running, { retainUntil: T });
    const moved = await finished(store, "SUCCESS", T);
    await store.updateInstance(moved, { retainUntil: T + 500 });
    const cleared = await finished(store, "FAILED", T);
    await store.updateInstance(cleared, { retainUntil: null });
    assert.equal(await store.sweepRetained(T + 100), 0);
    assert.equal(await holdsTasks(store, running.instanceId), true);
    assert.equal((await store.getInstance(running.instanceId))?.retainUntil, T);
    assert.equal(await holdsTasks(store, moved.instanceId), true);
    assert.equal(await store.sweepRetained(LATER), 1);
    assert.equal(await holdsTasks(store, moved.instanceId), false);
    assert.equal(await holdsTasks(store, cleared.instanceId), true);
    assert.equal(await holdsTasks(store, running.instanceId), true);
    // Once it finishes, its retainUntil counts.
    await store.updateInstance(running, { status: "SUCCESS" });
    assert.equal(await store.sweepRetained(LATER), 1);
    assert.equal(await holdsTasks(store, running.instanceId), false);
  });

  test("sweepRetained sweeps at most limit instances per call, soonest due first", async (store) => {
    await sweepLeftovers(store);
    const ids: string[] = [];
    for (const due of [T + 3, T + 1, T + 2, T + 5, T + 4]) ids.push((await finished(store, "SUCCESS", due, 1)).instanceId);
    assert.equal(await store.sweepRetained(T + 10, 2), 2);
    assert.deepEqual(await Promise.all(ids.map((id) => holdsTasks(store, id))), [true, false, false, true, true]);
    assert.equal(await store.sweepRetained(T + 10, 2), 2);
    assert.equal(await store.sweepRetained(T + 10, 2), 1);
    assert.equal(await store.sweepRetained(T + 10, 2), 0);
  });

  test("sweepRetained racing from two stores on one database (or two calls on one store): each instance swept once, both succeed", async (store, cx) => {
    await sweepLeftovers(store);
    const other = cx.twin === null ? store : await cx.twin();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await finished(store, i % 2 === 0 ? "SUCCESS" : "FAILED", T + i, 40)).instanceId);
    const counts = await Promise.all([
      store.sweepRetained(T + 100, 5), other.sweepRetained(T + 100, 5), store.sweepRetained(T + 100), other.sweepRetained(T + 100),
    ]);
    assert.equal(counts.reduce((a, b) => a + b, 0), 12, `swept ${counts.join(" + ")}`);
    for (const id of ids) {
      assert.equal(await holdsTasks(store, id), false);
      assert.equal(await holdsTasks(other, id), false);
      assert.equal((await other.getInstance(id))?.retainUntil, null);
    }
    assert.deepEqual(await Promise.all([store.sweepRetained(LATER), other.sweepRetained(LATER)]), [0, 0]);
  });

  test("sweepRetained is not fenced: a master that does not own an instance sweeps it; its owner's later writes still need its token", async (store) => {
    await sweepLeftovers(store);
    const old = await finished(store, "FAILED", T);
    const fresh = await store.acquireInstance(old.instanceId, OWNER_B);
    assert.equal(await store.sweepRetained(T), 1);
    const rec = await store.getInstance(old.instanceId);
    assert.deepEqual([rec?.owner, rec?.fence, rec?.retainUntil, rec?.status], [OWNER_B, fresh.token, null, "FAILED"]);
    await assert.rejects(store.insertTasks(old, tasks(0, 1)));
    assert.deepEqual([...await store.insertTasks(fresh, tasks(0, 1))], [1]);
  });

  test("sweepRetained refuses bad arguments with ValidationError naming the field", async (store) => {
    const bad: Array<[string, number, number | undefined]> = [
      ["now", -1, undefined], ["now", 1.5, undefined], ["now", Number.NaN, 5],
      ["limit", 0, 0], ["limit", 0, -1], ["limit", 0, 2.5],
    ];
    for (const [field, now, limit] of bad) {
      await assert.rejects(store.sweepRetained(now, limit), (e: unknown) => {
        assert.ok(e instanceof ValidationError, `${now}, ${limit}: ${String(e)}`);
        assert.equal(e.field, field);
        return true;
      });
    }
  });
}
