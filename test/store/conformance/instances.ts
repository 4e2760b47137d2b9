/**
 * Instance records: create, get, acquire, update and list; writes and reads of an unknown instance.
 */
import assert from "node:assert/strict";
import { DuplicateInstanceError, UnknownInstanceError } from "../../../src/store/errors.ts";
import type { Fence, InstanceRecord, Progress } from "../../../src/store/task-store.ts";
import { collect, newInstance, OWNER_A, OWNER_B, W1, type StoreTest } from "./fixtures.ts";
import { writes } from "./worker-fixture.ts";

/** Registers the tests of this part of the suite with `test`. */
export function registerInstanceTests(test: StoreTest): void {
  test("createInstance stores a RUNNING record owned by its creator with fencing token 1, started when created, no failures, nothing retained", async (store) => {
    const spec = newInstance({ serialNum: 3, createdAt: 1_700_000_000_123 });
    const fence = await store.createInstance(spec, OWNER_A);
    assert.deepEqual(fence, { instanceId: spec.instanceId, token: 1 });
    assert.deepEqual(await store.getInstance(spec.instanceId), {
      ...spec, status: "RUNNING", result: null, owner: OWNER_A, fence: 1, leaseUntil: null, finishedAt: null, progress: null,
      failedCount: 0, errors: [], startedAt: spec.createdAt, retainUntil: null,
    } satisfies InstanceRecord);
    const later = newInstance({ createdAt: 1_700_000_000_000, startedAt: 1_700_000_000_500 });
    await store.createInstance(later, OWNER_A);
    assert.equal((await store.getInstance(later.instanceId))?.startedAt, 1_700_000_000_500);
  });

  test("createInstance refuses a taken id with DuplicateInstanceError and keeps the first record", async (store) => {
    const spec = newInstance();
    await store.createInstance(spec, OWNER_A);
    const before = await store.getInstance(spec.instanceId);
    await assert.rejects(
      store.createInstance({ ...spec, processor: "other", params: { other: true } }, OWNER_B), DuplicateInstanceError);
    assert.deepEqual(await store.getInstance(spec.instanceId), before);
  });

  test("getInstance of an unknown id is null", async (store) => {
    assert.equal(await store.getInstance(crypto.randomUUID()), null);
  });

  test("acquireInstance grows the token by one per acquisition and records the new owner", async (store) => {
    const first = await store.createInstance(newInstance(), OWNER_A);
    const second = await store.acquireInstance(first.instanceId, OWNER_B);
    assert.deepEqual(second, { instanceId: first.instanceId, token: 2 });
    let rec = await store.getInstance(first.instanceId);
    assert.equal(rec?.owner, OWNER_B);
    assert.equal(rec?.fence, 2);
    const third = await store.acquireInstance(first.instanceId, OWNER_A);
    assert.equal(third.token, 3);
    rec = await store.getInstance(first.instanceId);
    assert.equal(rec?.owner, OWNER_A);
    assert.equal(rec?.fence, 3);
    assert.equal(rec?.status, "RUNNING");
  });

  test("acquireInstance of an unknown instance throws UnknownInstanceError", async (store) => {
    await assert.rejects(store.acquireInstance(crypto.randomUUID(), OWNER_A), UnknownInstanceError);
  });

  test("updateInstance changes only the patched fields, and an explicit null is a value", async (store) => {
    const spec = newInstance({ serialNum: 1 });
    const fence = await store.createInstance(spec, OWNER_A);
    const progress: Progress = {
      names: { ROOT: { total: 1, init: 0, pulled: 0, running: 0, success: 1, failed: 0 } },
      workers: { [W1]: { total: 1, pulled: 0, running: 0, success: 1, failed: 0, traceId: "t-1" } },
    };
    await store.updateInstance(fence, { status: "SUCCESS", result: { sum: 10 }, finishedAt: 1_700_000_009_000, progress });
    const base = { ...spec, owner: OWNER_A, fence: 1, leaseUntil: null, failedCount: 0, errors: [], startedAt: spec.createdAt, retainUntil: null };
    assert.deepEqual(await store.getInstance(spec.instanceId), {
      ...base, status: "SUCCESS", result: { sum: 10 }, finishedAt: 1_700_000_009_000, progress,
    });
    await store.updateInstance(fence, { serialNum: 2 });
    assert.deepEqual(await store.getInstance(spec.instanceId), {
      ...base, serialNum: 2, status: "SUCCESS", result: { sum: 10 }, finishedAt: 1_700_000_009_000, progress,
    });
    await store.updateInstance(fence, { status: "RUNNING", result: null, finishedAt: null, progress: null });
    assert.deepEqual(await store.getInstance(spec.instanceId), {
      ...base, serialNum: 2, status: "RUNNING", result: null, finishedAt: null, progress: null,
    });
  });

  test("listInstances is newest first: by createdAt, then by creation order", async (store) => {
    const t = 1_800_000_000_000;
    const ids: string[] = [];
    for (const createdAt of [t + 1, t + 3, t + 2, t + 2, t + 2]) {
      const spec = newInstance({ createdAt });
      ids.push(spec.instanceId);
      await store.createInstance(spec, OWNER_A);
    }
    const listed = (await store.listInstances()).map((r) => r.instanceId).filter((id) => ids.includes(id));
    assert.deepEqual(listed, [ids[1], ids[4], ids[3], ids[2], ids[0]]);
  });

  test("listInstances filters by status and honours limit", async (store) => {
    // Checked against the unlimited list, so other instances in a shared store do no harm.
    const t = 1_800_000_000_000;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const spec = newInstance({ createdAt: t + i });
      ids.push(spec.instanceId);
      const fence = await store.createInstance(spec, OWNER_A);
      if (i % 2 === 1) await store.updateInstance(fence, { status: "FAILED", result: "boom", finishedAt: t + i });
    }
    const mine = (list: InstanceRecord[]) => list.map((r) => r.instanceId).filter((id) => ids.includes(id));
    const all = await store.listInstances();
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.createdAt >= all[i]!.createdAt, "not newest first");
    assert.deepEqual(mine(all), [ids[4], ids[3], ids[2], ids[1], ids[0]]);
    assert.deepEqual(await store.listInstances({ limit: 2 }), all.slice(0, 2));
    const failed = await store.listInstances({ status: "FAILED" });
    assert.ok(failed.every((r) => r.status === "FAILED"));
    assert.deepEqual(mine(failed), [ids[3], ids[1]]);
    assert.deepEqual(await store.listInstances({ status: "FAILED", limit: 1 }), failed.slice(0, 1));
    const running = await store.listInstances({ status: "RUNNING" });
    assert.ok(running.every((r) => r.status === "RUNNING"));
    assert.deepEqual(mine(running), [ids[4], ids[2], ids[0]]);
    assert.deepEqual(await store.listInstances({ limit: 0 }), []);
    assert.deepEqual(await store.listInstances({ status: "SUCCESS", limit: 0 }), []);
  });

  test("A3: listInstances filters by processor and lists only those after `before`, newest first, with status and limit", async (store) => {
    // A processor name of its own, so other instances in a shared store do no harm.
    const p = `proc-${crypto.randomUUID()}`;
    const t = 2_000_000_000_000;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const spec = newInstance({ createdAt: t + (i >> 1), processor: i === 2 ? "other" : p });
      ids.push(spec.instanceId);
      const fence = await store.createInstance(spec, OWNER_A);
      if (i === 4) await store.updateInstance(fence, { status: "FAILED", result: "boom", finishedAt: t });
    }
    const idsOf = (list: InstanceRecord[]) => list.map((r) => r.instanceId);
    // Newest first: createdAt, then creation order; ids[2] is another processor's.
    assert.deepEqual(idsOf(await store.listInstances({ processor: p })), [ids[5], ids[4], ids[3], ids[1], ids[0]]);
    assert.deepEqual(idsOf(await store.listInstances({ processor: p, limit: 2 })), [ids[5], ids[4]]);
    assert.deepEqual(idsOf(await store.listInstances({ processor: p, before: ids[4], limit: 2 })), [ids[3], ids[1]]);
    assert.deepEqual(idsOf(await store.listInstances({ processor: p, before: ids[1] })), [ids[0]]);
    assert.deepEqual(idsOf(await store.listInstances({ processor: p, before: ids[0] })), []);
    // `before` names an instance of another processor: the listing goes on after it all the same.
    assert.deepEqual(idsOf(await store.listInstances({ processor: p, before: ids[2] })), [ids[1], ids[0]]);
    assert.deepEqual(idsOf(await store.listInstances({ processor: p, status: "FAILED" })), [ids[4]]);
    assert.deepEqual(idsOf(await store.listInstances({ processor: p, status: "RUNNING", before: ids[5], limit: 1 })), [ids[3]]);
    // The page before ended on an instance that has changed status since: the next page still follows it.
    assert.deepEqual(idsOf(await store.listInstances({ processor: p, status: "RUNNING", before: ids[4] })), [ids[3], ids[1], ids[0]]);
    assert.deepEqual(await store.listInstances({ processor: p, before: "no-such-instance" }), []);
    assert.deepEqual(await store.listInstances({ processor: `none-${p}` }), []);
  });

  test("listInstances by status follows an instance's status back and forth", async (store) => {
    const spec = newInstance({ createdAt: 1_900_000_000_000 });
    const fence = await store.createInstance(spec, OWNER_A);
    const id = spec.instanceId;
    const inList = async (status: "RUNNING" | "SUCCESS" | "FAILED") =>
      (await store.listInstances({ status })).filter((r) => r.instanceId === id).length;
    const states: ("RUNNING" | "SUCCESS" | "FAILED")[] = ["SUCCESS", "RUNNING", "FAILED", "FAILED", "RUNNING"];
    for (const status of states) {
      await store.updateInstance(fence, { status });
      for (const s of ["RUNNING", "SUCCESS", "FAILED"] as const) assert.equal(await inList(s), s === status ? 1 : 0, `${status}: ${s}`);
    }
    await store.updateInstance(fence, { serialNum: 5 }); // no status in the patch: it stays
    assert.equal(await inList("RUNNING"), 1);
    assert.equal((await store.listInstances()).filter((r) => r.instanceId === id).length, 1);
  });

  test("writes to an unknown instance throw UnknownInstanceError", async (store) => {
    const fence: Fence = { instanceId: crypto.randomUUID(), token: 1 };
    for (const [name, write] of writes(fence)) {
      await assert.rejects(write(store), UnknownInstanceError, name);
    }
    assert.equal(await store.getInstance(fence.instanceId), null);
  });

  test("reads of an unknown instance are empty: no task, no counts, maxSeq -1, no results", async (store) => {
    const id = crypto.randomUUID();
    assert.equal(await store.getTask(id, "t-0"), null);
    assert.deepEqual(await store.countByStatus(id), []);
    assert.equal(await store.maxSeq(id), -1);
    assert.deepEqual(await collect(store.results(id)), []);
  });
}
