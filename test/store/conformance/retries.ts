/**
 * What the stores keep for retries: the failure fields of a status update
 * (failures, notBefore, error, at), how every other write treats them, the
 * bounds on a stored error, and retryFailed.
 */
import assert from "node:assert/strict";
import { FAILED, INIT, PULLED, RUNNING, SUCCESS } from "../../../core-as/shared/constants.ts";
import { ValidationError } from "../../../src/errors/validation-error.ts";
import { FencedError, UnknownInstanceError } from "../../../src/store/errors.ts";
import type { TaskError, TaskRow, TaskStore } from "../../../src/store/task-store.ts";
import { collect, countMap, newInstance, OWNER_A, OWNER_B, pick, tasks, W1, W2, type StoreTest, setRows } from "./fixtures.ts";

/** [failures, notBefore, error, updatedAt] of a task. */
type Failure = [number | undefined, number | null | undefined, TaskError | null | undefined, number | undefined];

/** [failures, notBefore, error, updatedAt] of a task. */
function failure(t: TaskRow | null): Failure {
  return [t?.failures, t?.notBefore, t?.error, t?.updatedAt];
}

/** The failure fields of task `t-<seq>`. */
async function failureOf(store: TaskStore, id: string, seq: number): Promise<Failure> {
  return failure(await store.getTask(id, `t-${seq}`));
}

/** UTF-8 bytes of `s`. */
function utf8(s: string): number {
  return new TextEncoder().encode(s).length;
}

const BOOM: TaskError = { message: "boom", stack: "Error: boom\n    at process (job.js:1:1)" };

/** Registers the tests of this part of the suite with `test`. */
export function registerRetryTests(test: StoreTest): void {
  test("retries: updateStatuses stores failures, notBefore, error and at when given, and leaves each as it is when not", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 4).map((t) => ({ ...t, at: 100 })));
    assert.deepEqual(await failureOf(store, id, 0), [0, null, null, 100]);
    // A run failed and waits out its backoff.
    await store.updateStatuses(fence, [
      { seq: 0, status: INIT, attempt: 1, worker: null, failures: 1, notBefore: 5_000, error: BOOM, at: 200 },
      { seq: 1, status: RUNNING, attempt: 0, worker: W1, at: 210 },
      { seq: 2, status: FAILED, attempt: 2, worker: W2, result: "gave up", failures: 3, error: { message: "no stack" }, at: 220 },
    ]);
    assert.deepEqual(await failureOf(store, id, 0), [1, 5_000, BOOM, 200]);
    assert.deepEqual(await failureOf(store, id, 1), [0, null, null, 210]);
    assert.deepEqual(await failureOf(store, id, 2), [3, null, { message: "no stack" }, 220]);
    assert.deepEqual(await failureOf(store, id, 3), [0, null, null, 100]);
    const t2 = await store.getTask(id, "t-2");
    assert.deepEqual([t2?.status, t2?.attempt, t2?.worker, t2?.result], [FAILED, 2, W2, "gave up"]);
    // Nothing given: every field stays, updatedAt too.
    await store.updateStatuses(fence, [{ seq: 0, status: PULLED, attempt: 1, worker: W1 }]);
    assert.deepEqual(await failureOf(store, id, 0), [1, 5_000, BOOM, 200]);
    // Only some given: those change; null clears notBefore and error.
    await store.updateStatuses(fence, [{ seq: 0, status: RUNNING, attempt: 1, worker: W1, notBefore: null, at: 300 }]);
    assert.deepEqual(await failureOf(store, id, 0), [1, null, BOOM, 300]);
    await store.updateStatuses(fence, [{ seq: 0, status: SUCCESS, attempt: 1, worker: W1, result: 42, error: null, failures: 0 }]);
    assert.deepEqual(await failureOf(store, id, 0), [0, null, null, 300]);
    assert.equal((await store.getTask(id, "t-0"))?.result, 42);
  });

  test("retries: a task waiting out its backoff is INIT to countByStatus, and claimInit still hands it out with its fields", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 3, { queued: () => true }));
    await setRows(store, fence, [0, 1], RUNNING, W1);
    await store.updateStatuses(fence, [
      { seq: 1, status: INIT, attempt: 1, worker: null, failures: 1, notBefore: Number.MAX_SAFE_INTEGER, error: BOOM, at: 7 },
    ]);
    assert.deepEqual(await countMap(store, id), { "shard/1": 2, "shard/3": 1 });
    // Sent back to INIT by the owner itself: still queued, as updateStatuses leaves queued.
    assert.deepEqual(await store.claimInit(fence, 10), []);
    await store.resetForResume(fence, true, null);
    const claimed = await store.claimInit(fence, 10);
    assert.deepEqual(claimed.map((t) => [t.seq, t.attempt]), [[0, 1], [1, 1], [2, 0]]);
    assert.deepEqual(failure(claimed[1]!), [1, Number.MAX_SAFE_INTEGER, BOOM, 7]);
  });

  test("retries: the updates of one seq in a batch apply in order: the last one given of each field wins", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 2));
    await store.updateStatuses(fence, [
      { seq: 1, status: RUNNING, attempt: 0, worker: W1, failures: 1, notBefore: 10, error: { message: "first" }, at: 1 },
      { seq: 0, status: RUNNING, attempt: 0, worker: W1, at: 5 },
      { seq: 1, status: INIT, attempt: 1, worker: null, notBefore: 20 },
      { seq: 1, status: PULLED, attempt: 1, worker: W2, error: { message: "last" }, at: 3 },
      { seq: 1, status: RUNNING, attempt: 1, worker: W2 },
    ]);
    assert.deepEqual(await failureOf(store, id, 1), [1, 20, { message: "last" }, 3]);
    const t1 = await store.getTask(id, "t-1");
    assert.deepEqual([t1?.status, t1?.attempt, t1?.worker], [RUNNING, 1, W2]);
    assert.deepEqual(await failureOf(store, id, 0), [0, null, null, 5]);
  });

  test("retries: a status write with at sets updatedAt, without it leaves it; the failure fields it does not give stay", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 3));
    await store.updateStatuses(fence, [{ seq: 1, status: INIT, attempt: 1, worker: null, failures: 2, notBefore: 50, error: BOOM, at: 40 }]);
    await setRows(store, fence, [0, 1], PULLED, W1, 60);
    assert.deepEqual(await failureOf(store, id, 0), [0, null, null, 60]);
    assert.deepEqual(await failureOf(store, id, 1), [2, 50, BOOM, 60]);
    await setRows(store, fence, [1, 2], RUNNING, W1);
    assert.deepEqual(await failureOf(store, id, 1), [2, 50, BOOM, 60]);
    assert.deepEqual(await failureOf(store, id, 2), [0, null, null, 0]);
    assert.equal((await store.getTask(id, "t-1"))?.status, RUNNING);
  });

  test("retries: failover (resetForResume) clears notBefore and keeps failures and error; failing keeps all three", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 5));
    const failed = { failures: 2, notBefore: 99, error: BOOM, at: 10 };
    await store.updateStatuses(fence, [
      { seq: 0, status: RUNNING, attempt: 2, worker: W1, ...failed },
      { seq: 1, status: PULLED, attempt: 2, worker: W2, ...failed },
      { seq: 2, status: RUNNING, attempt: 2, worker: W1, ...failed },
      { seq: 3, status: RUNNING, attempt: 2, worker: W2, ...failed },
      { seq: 4, status: INIT, attempt: 2, worker: null, ...failed },
    ]);
    await store.resetForResume(fence, true, null);
    assert.deepEqual(await failureOf(store, id, 0), [2, null, BOOM, 10]);
    assert.deepEqual((await store.getTask(id, "t-0"))?.attempt, 3);
    // A task waiting in INIT keeps its backoff across a resume: it was never handed out.
    assert.deepEqual(await failureOf(store, id, 4), [2, 99, BOOM, 10]);
    await store.updateStatuses(fence, [
      { seq: 1, status: PULLED, attempt: 3, worker: W2, notBefore: 77 },
      { seq: 2, status: RUNNING, attempt: 3, worker: W1, notBefore: 77 },
    ]);
    await store.resetForResume(fence, false, "lost");
    assert.deepEqual(await failureOf(store, id, 1), [2, 77, BOOM, 10]);
    assert.deepEqual(pick(await store.getTask(id, "t-2")), [FAILED, 3, W1, "lost"]);
    assert.equal(await store.failUnfinished(fence, "killed"), 3);
    assert.deepEqual(await failureOf(store, id, 4), [2, 99, BOOM, 10]);
    await store.updateStatuses(fence, [{ seq: 3, status: RUNNING, attempt: 3, worker: W1, notBefore: 5 }]);
    await store.resetForResume(fence, false, "restarted");
    assert.deepEqual(await failureOf(store, id, 3), [2, 5, BOOM, 10]);
    assert.equal((await store.getTask(id, "t-3"))?.status, FAILED);
  });

  test("retries: a stored error is bounded: message 4 KiB and stack 16 KiB of UTF-8, cut at a whole character, other fields dropped", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 4));
    const long = "é".repeat(3000) + "tail"; // 6,004 bytes
    const deep = "at frame 🚀\n".repeat(2000); // 28,000 bytes, surrogate pairs inside
    const given = { message: long, stack: deep, code: "E_FAIL", cause: { nested: true } } as TaskError;
    await store.updateStatuses(fence, [
      { seq: 0, status: FAILED, attempt: 0, worker: W1, error: given },
      { seq: 1, status: FAILED, attempt: 0, worker: W1, error: { message: "short", stack: "s" } },
      { seq: 2, status: FAILED, attempt: 0, worker: W1, error: { message: "nul \u0000 and lone \ud800 here" } },
      { seq: 3, status: FAILED, attempt: 0, worker: W1, error: { message: "x".repeat(4096), stack: "y".repeat(16_384) } },
    ]);
    const e = (await store.getTask(id, "t-0"))?.error;
    assert.ok(e, "error stored");
    assert.deepEqual(Object.keys(e).sort(), ["message", "stack"]);
    assert.equal(e.message, "é".repeat(2048)); // 4,096 bytes exactly
    assert.ok(utf8(e.stack!) <= 16_384 && utf8(e.stack!) > 16_380, `stack of ${utf8(e.stack!)} bytes`);
    assert.ok(deep.startsWith(e.stack!), "the stack is a prefix of the one given");
    assert.ok(!/[\ud800-\udbff]$/.test(e.stack!), "cut inside a surrogate pair");
    assert.deepEqual((await store.getTask(id, "t-1"))?.error, { message: "short", stack: "s" });
    assert.deepEqual((await store.getTask(id, "t-2"))?.error, { message: "nul \ufffd and lone \ufffd here" });
    // At the bounds exactly: nothing is cut.
    assert.deepEqual((await store.getTask(id, "t-3"))?.error, { message: "x".repeat(4096), stack: "y".repeat(16_384) });
    // What results and listTasks hand out is bounded the same way.
    assert.deepEqual((await collect(store.results(id)))[0]?.error, e);
    assert.deepEqual((await store.listTasks(id, { limit: 1 }))[0]?.error, e);
  });

  test("retries: results hands reduce each task's error and attempt", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 3));
    await store.updateStatuses(fence, [
      { seq: 0, status: SUCCESS, attempt: 2, worker: W1, result: "ok", error: { message: "an earlier run" } },
      { seq: 1, status: FAILED, attempt: 4, worker: W2, result: null, failures: 5, error: BOOM },
    ]);
    assert.deepEqual(await collect(store.results(id, 2)), [
      { taskId: "t-0", name: "shard", status: SUCCESS, result: "ok", error: { message: "an earlier run" }, attempt: 2 },
      { taskId: "t-1", name: "shard", status: FAILED, result: null, error: BOOM, attempt: 4 },
      { taskId: "t-2", name: "shard", status: INIT, result: null, error: null, attempt: 0 },
    ]);
  });

  test("retryFailed: every FAILED task back to INIT, attempt + 1, failures 0, no backoff, no worker, null result, claimable; its error stays", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, [...tasks(0, 6), ...tasks(6, 2, { name: () => "other" })]);
    await store.claimInit(fence, 100); // all queued: the owner held them
    await store.updateStatuses(fence, [
      { seq: 0, status: SUCCESS, attempt: 0, worker: W1, result: "fine" },
      { seq: 1, status: FAILED, attempt: 2, worker: W1, result: "bad", failures: 3, notBefore: 400, error: BOOM, at: 500 },
      { seq: 2, status: RUNNING, attempt: 0, worker: W2 },
      { seq: 4, status: FAILED, attempt: 0, worker: W2, result: { why: "killed" } },
      { seq: 7, status: FAILED, attempt: 1, worker: W1, result: "bad", failures: 1, error: { message: "other" }, at: 600 },
    ]);
    assert.equal(await store.retryFailed(fence), 3);
    const t1 = await store.getTask(id, "t-1");
    assert.deepEqual(t1, {
      seq: 1, taskId: "t-1", parentId: "t-root", name: "shard", body: { n: 1 }, status: INIT, attempt: 3, worker: null, result: null,
      failures: 0, notBefore: null, error: BOOM, updatedAt: 500,
    } satisfies TaskRow);
    const t4 = await store.getTask(id, "t-4");
    assert.deepEqual([t4?.status, t4?.attempt, t4?.worker, t4?.result, t4?.error], [INIT, 1, null, null, null]);
    // The rest are left as they were.
    const t0 = await store.getTask(id, "t-0");
    assert.deepEqual([t0?.status, t0?.result], [SUCCESS, "fine"]);
    assert.equal((await store.getTask(id, "t-2"))?.status, RUNNING);
    assert.deepEqual(await countMap(store, id), { "shard/1": 4, "shard/3": 1, "shard/4": 1, "other/1": 2 });
    // Claimable again, lowest seq first, though every other INIT task stays queued.
    assert.deepEqual((await store.claimInit(fence, 10)).map((t) => [t.seq, t.attempt]), [[1, 3], [4, 1], [7, 2]]);
    assert.deepEqual(await store.claimInit(fence, 10), []);
    assert.equal(await store.retryFailed(fence), 0);
  });

  test("retryFailed on a finished instance taken over by another master: the new owner runs them again, the old one is refused", async (store) => {
    const old = await store.createInstance(newInstance(), OWNER_A);
    const id = old.instanceId;
    await store.insertTasks(old, tasks(0, 200));
    await setRows(store, old, Array.from({ length: 200 }, (_, i) => i), SUCCESS, W1);
    const failedSeqs = [3, 50, 51, 199];
    await store.updateStatuses(old, failedSeqs.map((seq) => ({ seq, status: FAILED, attempt: 0, worker: W1, error: { message: `m${seq}` } })));
    await store.updateInstance(old, { status: "FAILED", finishedAt: 1_000 });
    const fresh = await store.acquireInstance(id, OWNER_B);
    await assert.rejects(store.retryFailed(old), FencedError);
    assert.deepEqual(await countMap(store, id), { "shard/4": 196, "shard/5": 4 });
    await assert.rejects(store.retryFailed({ instanceId: crypto.randomUUID(), token: 1 }), UnknownInstanceError);
    assert.equal(await store.retryFailed(fresh), 4);
    const claimed = await store.claimInit(fresh, 1000);
    assert.deepEqual(claimed.map((t) => t.seq), failedSeqs);
    assert.deepEqual(claimed.map((t) => t.error?.message), failedSeqs.map((seq) => `m${seq}`));
  });

  test("retries: bad failure fields are refused with ValidationError naming the field, and change nothing", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 2));
    const ok = { seq: 0, status: PULLED, attempt: 0, worker: W1 } as const;
    const bad: Array<[string, Record<string, unknown>]> = [
      ["updates[1].failures", { failures: -1 }],
      ["updates[1].failures", { failures: 1.5 }],
      ["updates[1].notBefore", { notBefore: -5 }],
      ["updates[1].notBefore", { notBefore: "soon" }],
      ["updates[1].error", { error: "boom" }],
      ["updates[1].error.message", { error: { stack: "s" } }],
      ["updates[1].error.stack", { error: { message: "m", stack: 5 } }],
      ["updates[1].at", { at: 2.5 }],
      ["updates[1].at", { at: -1 }],
    ];
    for (const [field, over] of bad) {
      await assert.rejects(store.updateStatuses(fence, [ok, { seq: 1, status: FAILED, attempt: 0, worker: W1, ...over }]), (e: unknown) => {
        assert.ok(e instanceof ValidationError, `${field}: ${String(e)}`);
        assert.equal(e.field, field);
        return true;
      });
    }
    await assert.rejects(store.insertTasks(fence, [{ ...tasks(2, 1)[0]!, at: 0.5 }]), (e: unknown) => {
      return e instanceof ValidationError && e.field === "tasks[0].at";
    });
    assert.deepEqual(await countMap(store, id), { "shard/1": 2 });
    assert.deepEqual(await failureOf(store, id, 1), [0, null, null, 0]);
  });
}
