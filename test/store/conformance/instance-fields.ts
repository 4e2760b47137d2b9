/**
 * The instance record's failure fields — failedCount, errors, startedAt,
 * retainUntil — their bounds, and a finished instance taken again to run its
 * failed tasks once more.
 */
import assert from "node:assert/strict";
import { ValidationError } from "../../../src/errors/validation-error.ts";
import { FencedError } from "../../../src/store/errors.ts";
import type { InstancePatch, TaskErrorSummary } from "../../../src/store/task-store.ts";
import { newInstance, OWNER_A, OWNER_B, W1, type StoreTest } from "./fixtures.ts";

/** A summary of a failed task `t-<i>`. */
function summary(i: number, over: Partial<TaskErrorSummary> = {}): TaskErrorSummary {
  return { taskId: `t-${i}`, name: "shard", attempt: i % 3, worker: i % 2 === 0 ? W1 : null, message: `failed ${i}`, ...over };
}

/** UTF-8 bytes of `s`. */
function utf8(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Registers the tests of this part of the suite with `test`. */
export function registerInstanceFieldTests(test: StoreTest): void {
  test("instance fields: updateInstance sets failedCount, errors, startedAt and retainUntil, each only when patched", async (store) => {
    const spec = newInstance({ createdAt: 1_700_000_000_000 });
    const fence = await store.createInstance(spec, OWNER_A);
    const id = spec.instanceId;
    const errors = [summary(1), summary(2, { message: "ünï ☃ \"quoted\"\nline" })];
    await store.updateInstance(fence, { failedCount: 7, errors });
    let rec = await store.getInstance(id);
    assert.deepEqual([rec?.failedCount, rec?.errors, rec?.startedAt, rec?.retainUntil], [7, errors, spec.createdAt, null]);
    await store.updateInstance(fence, { startedAt: 1_700_000_050_000, retainUntil: 1_700_000_900_000 });
    rec = await store.getInstance(id);
    assert.deepEqual([rec?.failedCount, rec?.errors, rec?.startedAt, rec?.retainUntil], [7, errors, 1_700_000_050_000, 1_700_000_900_000]);
    await store.updateInstance(fence, { status: "FAILED", result: "3 tasks failed" });
    rec = await store.getInstance(id);
    assert.deepEqual([rec?.failedCount, rec?.errors.length, rec?.retainUntil, rec?.status], [7, 2, 1_700_000_900_000, "FAILED"]);
    // null is a value for startedAt and retainUntil; [] and 0 reset the others.
    await store.updateInstance(fence, { failedCount: 0, errors: [], startedAt: null, retainUntil: null });
    rec = await store.getInstance(id);
    assert.deepEqual([rec?.failedCount, rec?.errors, rec?.startedAt, rec?.retainUntil], [0, [], null, null]);
    // listInstances and expiredInstances hand out the same fields.
    await store.updateInstance(fence, { status: "RUNNING", failedCount: 2, errors: [summary(3)] });
    assert.deepEqual((await store.listInstances()).find((r) => r.instanceId === id), await store.getInstance(id));
    assert.deepEqual((await store.expiredInstances(Number.MAX_SAFE_INTEGER)).find((r) => r.instanceId === id), await store.getInstance(id));
  });

  test("instance fields: at most 10 errors are kept (the first ones), each message cut to 4 KiB of UTF-8, other fields dropped", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    const many = Array.from({ length: 12 }, (_, i) => summary(i));
    many[4] = { ...summary(4), message: "€".repeat(2000) } ; // 6,000 bytes
    (many[5] as unknown as Record<string, unknown>).extra = "dropped";
    await store.updateInstance(fence, { errors: many });
    const kept = (await store.getInstance(id))!.errors;
    assert.equal(kept.length, 10);
    assert.deepEqual(kept.map((e) => e.taskId), many.slice(0, 10).map((e) => e.taskId));
    assert.equal(kept[4]!.message, "€".repeat(1365)); // 4,095 bytes: one more would be 4,098
    assert.ok(utf8(kept[4]!.message) <= 4096);
    assert.deepEqual(kept[5], summary(5));
    assert.deepEqual(kept[0], summary(0));
  });

  test("instance fields: bad values are refused with ValidationError naming the field, and change nothing", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    const before = await store.getInstance(id);
    const bad: Array<[string, InstancePatch]> = [
      ["failedCount", { failedCount: -1 }],
      ["failedCount", { failedCount: 1.5 }],
      ["errors", { errors: "boom" as unknown as TaskErrorSummary[] }],
      ["errors[1]", { errors: [summary(0), null as unknown as TaskErrorSummary] }],
      ["errors[0].taskId", { errors: [{ ...summary(0), taskId: 5 as unknown as string }] }],
      ["errors[0].attempt", { errors: [{ ...summary(0), attempt: -1 }] }],
      ["errors[0].worker", { errors: [{ ...summary(0), worker: 3 as unknown as string }] }],
      ["errors[0].message", { errors: [{ ...summary(0), message: undefined as unknown as string }] }],
      ["startedAt", { startedAt: -5 }],
      ["retainUntil", { retainUntil: 2.5 }],
      ["retainUntil", { retainUntil: "later" as unknown as number }],
    ];
    for (const [field, patch] of bad) {
      await assert.rejects(store.updateInstance(fence, { status: "FAILED", ...patch }), (e: unknown) => {
        assert.ok(e instanceof ValidationError, `${field}: ${String(e)}`);
        assert.equal(e.field, field);
        return true;
      });
    }
    await assert.rejects(store.createInstance(newInstance({ startedAt: -1 }), OWNER_A), (e: unknown) => {
      return e instanceof ValidationError && e.field === "startedAt";
    });
    assert.deepEqual(await store.getInstance(id), before);
  });

  test("instance fields: a finished instance is acquired like a running one (token + 1, new owner, lease as given) and made RUNNING again by its new owner", async (store) => {
    for (const status of ["SUCCESS", "FAILED"] as const) {
      const spec = newInstance({ serialNum: 4 });
      const old = await store.createInstance(spec, OWNER_A, { now: 1_000, leaseMs: 500 });
      const id = spec.instanceId;
      await store.updateInstance(old, {
        status, result: "done", finishedAt: 2_000, failedCount: 1, errors: [summary(1)], retainUntil: 90_000,
      });
      const fresh = await store.acquireInstance(id, OWNER_B, { now: 3_000, leaseMs: 10_000 });
      assert.deepEqual(fresh, { instanceId: id, token: old.token + 1 });
      let rec = await store.getInstance(id);
      assert.deepEqual([rec?.owner, rec?.fence, rec?.leaseUntil, rec?.status], [OWNER_B, fresh.token, 13_000, status]);
      await store.updateInstance(fresh, { status: "RUNNING", finishedAt: null, serialNum: 5, startedAt: 3_000, retainUntil: null });
      rec = await store.getInstance(id);
      assert.deepEqual(rec, {
        ...spec, serialNum: 5, status: "RUNNING", result: "done", owner: OWNER_B, fence: fresh.token, leaseUntil: 13_000,
        finishedAt: null, progress: null, failedCount: 1, errors: [summary(1)], startedAt: 3_000, retainUntil: null,
      });
      assert.ok((await store.listInstances({ status: "RUNNING" })).some((r) => r.instanceId === id));
      await assert.rejects(store.updateInstance(old, { status, finishedAt: 4_000 }), FencedError);
      // Without terms it is taken with no lease, as a master running alone takes it.
      await store.updateInstance(fresh, { status, finishedAt: 5_000 });
      const alone = await store.acquireInstance(id, OWNER_A);
      rec = await store.getInstance(id);
      assert.deepEqual([alone.token, rec?.owner, rec?.leaseUntil, rec?.status], [fresh.token + 1, OWNER_A, null, status]);
    }
  });
}
