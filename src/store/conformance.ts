/**
 * The TaskStore conformance suite: every backend runs it and passes it.
 * It depends on no test runner — only `node:assert/strict` and Web-standard
 * globals — so the same suite runs under vitest, under `deno test` and in a
 * browser page. Each test makes fresh instance ids, so a shared database may
 * hold other data, and closes its store.
 */
import assert from "node:assert/strict";
import { FAILED, INIT, PULLED, RUNNING, SUCCESS } from "../../core-as/shared/constants.ts";
import { ValidationError } from "../errors/validation-error.ts";
import type { JsonValue } from "../protocol/messages.ts";
import { DuplicateInstanceError, FencedError, UnknownInstanceError } from "./errors.ts";
import { runLeaseSuite } from "./conformance-leases.ts";
import type {
  Fence, InstanceRecord, NewInstance, NewTask, Progress, ResultRow, StatusCount, TaskRow, TaskStatusCode, TaskStore,
} from "./task-store.ts";

/** What `runStoreSuite` needs from its host. */
export interface StoreSuiteOptions {
  /** Registers one test (vitest's `test`, a wrapper over `Deno.test`, ...). */
  test: (name: string, fn: () => Promise<void>) => void;
  /** A ready store; each test makes its own and closes it. */
  newStore: () => Promise<TaskStore>;
  /** Runs after each test, before its store is closed. */
  cleanup?: (store: TaskStore) => Promise<void>;
}

const OWNER_A = "master-a";
const OWNER_B = "master-b";
// Two incarnations of one worker: keys share a prefix, so matching must be exact.
const W1 = "worker-1@10.0.0.1:7000#1";
const W2 = "worker-1@10.0.0.1:7000#12";

/** JSON values a serializing backend could bend: nesting, unicode, escapes, number edges, empty containers. */
const JSON_SAMPLES: readonly JsonValue[] = [
  null, true, false, 0, -1, 42, 3.141592653589793, -0.000123, 1e-7, 1.5e300, 0.1 + 0.2,
  Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER,
  "", "plain", "héllo wörld", "日本語のテキスト", "emoji 🚀 and a family 👩‍👩‍👧", "ключ → значение",
  "quote \" backslash \\ newline \n tab \t slash / </script>", "{\"looks\":\"like json\"}", "null",
  [], {}, [1, "two", null, [3, [4, [5]]], { six: 6 }, true],
  {
    nested: { deeper: { deepest: [1, { k: "v" }, []] } },
    "": "empty key", "ключ": "значение", "with space": null, "🔑": [false, 0, ""],
    num: -2.5e-8, big: 123456789012345, obj: {},
  },
];

/** Registers the TaskStore conformance tests with `opts.test`. */
export function runStoreSuite(opts: StoreSuiteOptions): void {
  const test = (name: string, fn: (store: TaskStore) => Promise<void>): void => {
    opts.test(name, async () => {
      const store = await opts.newStore();
      try {
        await fn(store);
      } finally {
        try {
          if (opts.cleanup) await opts.cleanup(store);
        } finally {
          await store.close();
        }
      }
    });
  };

  // ------------------------------------------------------------------ leases

  runLeaseSuite(test);

  // ---------------------------------------------------------------- instances

  test("createInstance stores a RUNNING record owned by its creator with fencing token 1", async (store) => {
    const spec = newInstance({ serialNum: 3, createdAt: 1_700_000_000_123 });
    const fence = await store.createInstance(spec, OWNER_A);
    assert.deepEqual(fence, { instanceId: spec.instanceId, token: 1 });
    assert.deepEqual(await store.getInstance(spec.instanceId), {
      ...spec, status: "RUNNING", result: null, owner: OWNER_A, fence: 1, leaseUntil: null, finishedAt: null, progress: null,
    } satisfies InstanceRecord);
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
    const base = { ...spec, owner: OWNER_A, fence: 1, leaseUntil: null };
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

  // -------------------------------------------------------------------- tasks

  test("insertTasks stores INIT tasks with attempt 0, no worker and a null result", async (store) => {
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
        status: INIT, attempt: 0, worker: null, result: null,
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

  test("updateStatuses sets status, attempt and worker of many tasks, and the result only when given", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(fence, tasks(0, 6));
    await store.updateStatuses(fence, [
      { seq: 0, status: PULLED, attempt: 0, worker: W1 },
      { seq: 1, status: RUNNING, attempt: 1, worker: W2 },
      { seq: 2, status: SUCCESS, attempt: 0, worker: W1, result: { ok: [1, 2, 3] } },
      { seq: 3, status: FAILED, attempt: 4, worker: W2, result: "it broke" },
      { seq: 4, status: SUCCESS, attempt: 0, worker: W1, result: null },
    ]);
    const id = fence.instanceId;
    assert.deepEqual(pick(await store.getTask(id, "t-0")), [PULLED, 0, W1, null]);
    assert.deepEqual(pick(await store.getTask(id, "t-1")), [RUNNING, 1, W2, null]);
    assert.deepEqual(pick(await store.getTask(id, "t-2")), [SUCCESS, 0, W1, { ok: [1, 2, 3] }]);
    assert.deepEqual(pick(await store.getTask(id, "t-3")), [FAILED, 4, W2, "it broke"]);
    assert.deepEqual(pick(await store.getTask(id, "t-4")), [SUCCESS, 0, W1, null]);
    assert.deepEqual(pick(await store.getTask(id, "t-5")), [INIT, 0, null, null]);
    // No result given: the stored one stays; worker null is stored as null.
    await store.updateStatuses(fence, [{ seq: 2, status: FAILED, attempt: 3, worker: null }]);
    assert.deepEqual(pick(await store.getTask(id, "t-2")), [FAILED, 3, null, { ok: [1, 2, 3] }]);
    const t2 = await store.getTask(id, "t-2");
    assert.deepEqual([t2?.seq, t2?.parentId, t2?.name, t2?.body], [2, "t-root", "shard", { n: 2 }]);
  });

  test("setStatus marks many tasks with one status and worker, leaving attempt and result", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 200));
    await store.updateStatuses(fence, [{ seq: 7, status: INIT, attempt: 2, worker: null, result: "kept" }]);
    const marked = Array.from({ length: 100 }, (_, i) => i * 2); // every even seq
    await store.setStatus(fence, marked, PULLED, W1);
    for (const seq of [0, 2, 198]) assert.deepEqual(pick(await store.getTask(id, `t-${seq}`)), [PULLED, 0, W1, null]);
    for (const seq of [1, 3, 199]) assert.deepEqual(pick(await store.getTask(id, `t-${seq}`)), [INIT, 0, null, null]);
    await store.setStatus(fence, [7, 9], RUNNING, W2);
    assert.deepEqual(pick(await store.getTask(id, "t-7")), [RUNNING, 2, W2, "kept"]);
    await store.setStatus(fence, [7], INIT, null);
    assert.deepEqual(pick(await store.getTask(id, "t-7")), [INIT, 2, null, "kept"]);
    await store.setStatus(fence, [], SUCCESS, W1);
    assert.deepEqual(await countMap(store, id), { "shard/1": 99, "shard/2": 100, "shard/3": 1 });
  });

  test("resetWorkerTasks to INIT: only that worker's PULLED and RUNNING tasks, attempt + 1, worker null", async (store) => {
    const { fence, id } = await workerFixture(store);
    const changed = await store.resetWorkerTasks(fence, W1, { status: INIT, queued: true });
    assert.equal(changed, 2);
    assert.deepEqual(await taskStates(store, id), {
      ...FIXTURE_STATES,
      "t-1": [INIT, 1, null, null],
      "t-2": [INIT, 3, null, null],
    });
    assert.equal(await store.resetWorkerTasks(fence, W1, { status: INIT, queued: true }), 0);
  });

  test("resetWorkerTasks to INIT respects queued: queued=false tasks come back from claimInit, queued=true do not", async (store) => {
    const held = await workerFixture(store);
    await drain(store, held.fence); // the fixture's own claimable INIT tasks
    await store.resetWorkerTasks(held.fence, W1, { status: INIT, queued: true });
    assert.deepEqual(await store.claimInit(held.fence, 100), []);

    const released = await workerFixture(store);
    await drain(store, released.fence);
    await store.resetWorkerTasks(released.fence, W1, { status: INIT, queued: false });
    const claimed = await store.claimInit(released.fence, 100);
    assert.deepEqual(claimed.map((t) => [t.taskId, t.status, t.attempt, t.worker]), [
      ["t-1", INIT, 1, null],
      ["t-2", INIT, 3, null],
    ]);
    assert.deepEqual(await store.claimInit(released.fence, 100), []);
  });

  test("resetWorkerTasks to FAILED stores the result on that worker's PULLED and RUNNING tasks only", async (store) => {
    const { fence, id } = await workerFixture(store);
    const changed = await store.resetWorkerTasks(fence, W2, { status: FAILED, result: { error: "worker lost" } });
    assert.equal(changed, 2);
    assert.deepEqual(await taskStates(store, id), {
      ...FIXTURE_STATES,
      "t-5": [FAILED, 0, W2, { error: "worker lost" }],
      "t-6": [FAILED, 1, W2, { error: "worker lost" }],
    });
    assert.equal(await store.resetWorkerTasks(fence, W2, { status: FAILED, result: "again" }), 0);
    assert.equal(await store.resetWorkerTasks(fence, "nobody#1", { status: INIT, queued: false }), 0);
  });

  test("failUnfinished fails INIT, PULLED and RUNNING tasks with the result, leaves finished ones, returns the count", async (store) => {
    const { fence, id } = await workerFixture(store);
    const changed = await store.failUnfinished(fence, "killed");
    assert.equal(changed, 9);
    const states = await taskStates(store, id);
    for (const [taskId, [status, attempt, worker, result]] of Object.entries(FIXTURE_STATES)) {
      const finished = status === SUCCESS || status === FAILED;
      assert.deepEqual(states[taskId], finished ? [status, attempt, worker, result] : [FAILED, attempt, worker, "killed"], taskId);
    }
    assert.deepEqual(await store.claimInit(fence, 100), []);
    assert.equal(await store.failUnfinished(fence, "killed"), 0);
  });

  test("resetForResume with failover: PULLED/RUNNING back to INIT with attempt + 1, every INIT task claimable", async (store) => {
    const { fence, id } = await workerFixture(store);
    await store.claimInit(fence, 1); // t-0 queued now, like t-7
    await store.resetForResume(fence, true, "master restarted");
    assert.deepEqual(await taskStates(store, id), {
      ...FIXTURE_STATES,
      "t-1": [INIT, 1, null, null],
      "t-2": [INIT, 3, null, null],
      "t-5": [INIT, 1, null, null],
      "t-6": [INIT, 2, null, null],
    });
    const claimed = await store.claimInit(fence, 100);
    assert.deepEqual(claimed.map((t) => t.taskId), ["t-0", "t-1", "t-2", "t-5", "t-6", "t-7", "t-8", "t-10", "t-11"]);
  });

  test("resetForResume without failover: PULLED/RUNNING fail with the result, every INIT task claimable", async (store) => {
    const { fence, id } = await workerFixture(store);
    await store.resetForResume(fence, false, { error: "master restarted" });
    const lost = { error: "master restarted" };
    assert.deepEqual(await taskStates(store, id), {
      ...FIXTURE_STATES,
      "t-1": [FAILED, 0, W1, lost],
      "t-2": [FAILED, 2, W1, lost],
      "t-5": [FAILED, 0, W2, lost],
      "t-6": [FAILED, 1, W2, lost],
    });
    const claimed = await store.claimInit(fence, 100);
    assert.deepEqual(claimed.map((t) => t.taskId), ["t-0", "t-7", "t-8", "t-10", "t-11"]);
  });

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
      status: INIT, attempt: 0, worker: null, result: null,
    } satisfies TaskRow);
    assert.deepEqual(pick(await store.getTask(id, "t-1")), [INIT, 0, null, null]);
    const rest = await store.claimInit(fence, 1000);
    assert.deepEqual(rest.map((t) => t.seq), [7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    assert.deepEqual(await store.claimInit(fence, 10), []);
    // A task that comes back unqueued takes its place by seq again.
    await store.setStatus(fence, [15, 2], PULLED, W1);
    await store.resetWorkerTasks(fence, W1, { status: INIT, queued: false });
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

  test("countByStatus counts tasks per name and status, omitting empty pairs", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(fence, [
      task(0, { name: "ROOT", parentId: null }),
      ...tasks(1, 6, { name: () => "a" }),
      ...tasks(7, 3, { name: () => "b" }),
    ]);
    await store.setStatus(fence, [0], RUNNING, W1);
    await store.setStatus(fence, [1, 2], SUCCESS, W1);
    await store.setStatus(fence, [3], FAILED, W2);
    await store.setStatus(fence, [4], PULLED, W2);
    await store.setStatus(fence, [7, 8, 9], SUCCESS, W2);
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
      taskId: `t-${seq}`, name: "shard", status: INIT, result: null,
    }));
    expected[3] = { taskId: "t-3", name: "shard", status: SUCCESS, result: { r: 3 } };
    expected[49] = { taskId: "t-49", name: "shard", status: FAILED, result: "bad" };
    expected[20] = { taskId: "t-20", name: "shard", status: RUNNING, result: null };
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
      await store.setStatus(fence, [(i + 3) % 50], RUNNING, W2);
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
    await store.setStatus(fence, range(0, 20), SUCCESS, W1);
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

  // ---------------------------------------------------------------- batches

  test("updateStatuses and setStatus ignore seqs that are not stored and change nothing else", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 3));
    await store.setStatus(fence, [1, 7, 2 ** 32, Number.MAX_SAFE_INTEGER], PULLED, W1);
    await store.updateStatuses(fence, [
      { seq: 9, status: SUCCESS, attempt: 0, worker: W1, result: "ghost" },
      { seq: 2, status: SUCCESS, attempt: 0, worker: W1, result: "real" },
      { seq: 2 ** 32 + 2, status: FAILED, attempt: 0, worker: W2, result: "ghost" },
    ]);
    assert.equal(await store.maxSeq(id), 2);
    assert.deepEqual(await countMap(store, id), { "shard/1": 1, "shard/2": 1, "shard/4": 1 });
    assert.deepEqual(pick(await store.getTask(id, "t-2")), [SUCCESS, 0, W1, "real"]);
    assert.equal((await collect(store.results(id))).length, 3);
  });

  test("claimInit finds a task that becomes claimable again below tasks claimed already: set back to INIT unqueued, or inserted late with a low seq", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(fence, tasks(10, 10));
    await store.setStatus(fence, [12, 15], PULLED, W1); // dispatched without a claim: still not queued
    assert.deepEqual((await store.claimInit(fence, 100)).map((t) => t.seq), [10, 11, 13, 14, 16, 17, 18, 19]);
    assert.deepEqual(await store.claimInit(fence, 100), []);
    await store.setStatus(fence, [15], INIT, null);
    assert.deepEqual((await store.claimInit(fence, 100)).map((t) => t.seq), [15]);
    await store.updateStatuses(fence, [{ seq: 12, status: INIT, attempt: 1, worker: null }]);
    assert.deepEqual((await store.claimInit(fence, 100)).map((t) => [t.seq, t.attempt]), [[12, 1]]);
    await store.insertTasks(fence, [...tasks(3, 2), task(30, { queued: true }), task(25)]);
    assert.deepEqual((await store.claimInit(fence, 2)).map((t) => t.seq), [3, 4]);
    assert.deepEqual((await store.claimInit(fence, 2)).map((t) => t.seq), [25]);
    // Claimed tasks set back to INIT stay queued (the owner holds them): not handed out again.
    await store.setStatus(fence, [10, 11], INIT, null);
    assert.deepEqual(await store.claimInit(fence, 100), []);
    await store.clearTasks(fence);
    await store.insertTasks(fence, tasks(0, 3));
    assert.deepEqual((await store.claimInit(fence, 100)).map((t) => t.seq), [0, 1, 2]);
  });

  test("large batches: 2,500 tasks inserted, marked and finished in one call each land exactly; a mixed re-insert marks only the new ones", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    const N = 2500;
    assert.ok((await store.insertTasks(fence, tasks(0, N))).every((b) => b === 1));
    await store.setStatus(fence, range(0, N).reverse(), PULLED, W1);
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

  // -------------------------------------------------------------- JSON values

  test("JSON values round-trip exactly: nested objects, unicode, escapes, null, numbers", async (store) => {
    const settings: JsonValue = { samples: [...JSON_SAMPLES] };
    const spec = newInstance({ settings, params: JSON_SAMPLES.at(-1)! });
    const fence = await store.createInstance(spec, OWNER_A);
    const id = fence.instanceId;
    const rec = await store.getInstance(id);
    assert.deepEqual(rec?.settings, settings);
    assert.deepEqual(rec?.params, JSON_SAMPLES.at(-1));

    const n = JSON_SAMPLES.length;
    await store.insertTasks(fence, JSON_SAMPLES.map((body, seq) => task(seq, { body })));
    for (let seq = 0; seq < n; seq++) {
      assert.deepEqual((await store.getTask(id, `t-${seq}`))?.body, JSON_SAMPLES[seq], `body ${seq}`);
    }
    assert.deepEqual((await store.claimInit(fence, n)).map((t) => t.body), JSON_SAMPLES);

    await store.updateStatuses(fence, JSON_SAMPLES.map((result, seq) => ({ seq, status: SUCCESS, attempt: 0, worker: W1, result })));
    for (let seq = 0; seq < n; seq++) {
      assert.deepEqual((await store.getTask(id, `t-${seq}`))?.result, JSON_SAMPLES[seq], `result ${seq}`);
    }
    assert.deepEqual((await collect(store.results(id, 4))).map((r) => r.result), JSON_SAMPLES);

    for (const result of JSON_SAMPLES) {
      await store.updateInstance(fence, { result });
      assert.deepEqual((await store.getInstance(id))?.result, result);
    }
  });

  test("JSON results given to resetWorkerTasks, failUnfinished and resetForResume round-trip exactly", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    const nested = JSON_SAMPLES.at(-1)!;
    await store.insertTasks(fence, tasks(0, 3));
    await store.setStatus(fence, [0], PULLED, W1);
    await store.setStatus(fence, [1], RUNNING, W2);
    await store.resetWorkerTasks(fence, W1, { status: FAILED, result: nested });
    await store.resetForResume(fence, false, [nested, "ünï"]);
    await store.failUnfinished(fence, { killed: "by ☃", at: 1.25 });
    assert.deepEqual((await store.getTask(id, "t-0"))?.result, nested);
    assert.deepEqual((await store.getTask(id, "t-1"))?.result, [nested, "ünï"]);
    assert.deepEqual((await store.getTask(id, "t-2"))?.result, { killed: "by ☃", at: 1.25 });
  });

  test("values passed in and handed out are copies: mutating them changes nothing stored", async (store) => {
    const settings = { deep: { list: [1, 2] } };
    const spec = newInstance({ settings });
    const fence = await store.createInstance(spec, OWNER_A);
    const id = fence.instanceId;
    settings.deep.list.push(3);
    const rec = await store.getInstance(id);
    assert.deepEqual(rec?.settings, { deep: { list: [1, 2] } });
    (rec?.settings as { deep: { list: number[] } }).deep.list.push(4);
    assert.deepEqual((await store.getInstance(id))?.settings, { deep: { list: [1, 2] } });

    const body = { items: ["a"] };
    const result = { out: { n: 1 } };
    await store.insertTasks(fence, [task(0, { body })]);
    body.items.push("b");
    await store.updateStatuses(fence, [{ seq: 0, status: SUCCESS, attempt: 0, worker: W1, result }]);
    result.out.n = 2;
    const got = await store.getTask(id, "t-0");
    assert.deepEqual([got?.body, got?.result], [{ items: ["a"] }, { out: { n: 1 } }]);
    (got?.body as { items: string[] }).items.push("c");
    (got?.result as { out: { n: number } }).out.n = 3;
    const [row] = await collect(store.results(id));
    (row?.result as { out: { n: number } }).out.n = 4;
    const again = await store.getTask(id, "t-0");
    assert.deepEqual([again?.body, again?.result], [{ items: ["a"] }, { out: { n: 1 } }]);
  });

  // ----------------------------------------------------------------- fencing

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

  // --------------------------------------------------------------- isolation

  test("instances are isolated: the same taskIds and seqs in two instances never meet", async (store) => {
    const a = await store.createInstance(newInstance(), OWNER_A);
    const b = await store.createInstance(newInstance(), OWNER_A);
    await store.insertTasks(a, tasks(0, 10));
    assert.deepEqual([...await store.insertTasks(b, tasks(0, 5, { name: () => "other" }))], [1, 1, 1, 1, 1]);
    await store.setStatus(a, [0, 1], PULLED, W1);
    await store.setStatus(b, [0], PULLED, W1);
    assert.equal(await store.resetWorkerTasks(a, W1, { status: FAILED, result: "a only" }), 2);
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

  // -------------------------------------------------------------- bad input

  test("bad arguments are refused with ValidationError and change nothing", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await assert.rejects(store.listInstances({ limit: -1 }), ValidationError);
    await assert.rejects(store.listInstances({ limit: 1.5 }), ValidationError);
    await assert.rejects(store.insertTasks(fence, [task(0), task(1.5)]), ValidationError);
    await assert.rejects(store.insertTasks(fence, [task(0), task(-1)]), ValidationError);
    assert.equal(await store.maxSeq(id), -1, "a refused batch stored part of itself");
    await store.insertTasks(fence, tasks(0, 3));
    await assert.rejects(store.setStatus(fence, [0, 0.5], PULLED, W1), ValidationError);
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

  // ------------------------------------------- indexes, limits and races

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

  test("updateStatuses applies the updates of one seq in batch order: the last status wins, a result given earlier stays", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 3));
    await store.updateStatuses(fence, [
      { seq: 0, status: RUNNING, attempt: 0, worker: W1 },
      { seq: 1, status: PULLED, attempt: 0, worker: W1 },
      { seq: 0, status: SUCCESS, attempt: 0, worker: W1, result: "done" },
      { seq: 1, status: FAILED, attempt: 1, worker: W2, result: "first" },
      { seq: 1, status: RUNNING, attempt: 2, worker: W2 },
    ]);
    assert.deepEqual(pick(await store.getTask(id, "t-0")), [SUCCESS, 0, W1, "done"]);
    assert.deepEqual(pick(await store.getTask(id, "t-1")), [RUNNING, 2, W2, "first"]);
    assert.deepEqual(await countMap(store, id), { "shard/1": 1, "shard/3": 1, "shard/4": 1 });
    assert.equal(await store.resetWorkerTasks(fence, W1, { status: FAILED, result: "lost" }), 0);
    assert.equal(await store.resetWorkerTasks(fence, W2, { status: INIT, queued: false }), 1);
  });

  test("resetWorkerTasks follows a task to its latest worker and status", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    await store.insertTasks(fence, tasks(0, 5));
    await store.setStatus(fence, [0, 1, 2, 3, 4], PULLED, W1);
    await store.updateStatuses(fence, [{ seq: 0, status: RUNNING, attempt: 0, worker: W2 }]); // moved to W2
    await store.setStatus(fence, [1], RUNNING, W1); // still W1's
    await store.setStatus(fence, [2], SUCCESS, W1); // finished
    await store.setStatus(fence, [3], INIT, null); // back home
    await store.setStatus(fence, [3], PULLED, W2); // and out to W2
    assert.equal(await store.resetWorkerTasks(fence, W1, { status: FAILED, result: "W1 lost" }), 2);
    assert.deepEqual(pick(await store.getTask(id, "t-1")), [FAILED, 0, W1, "W1 lost"]);
    assert.deepEqual(pick(await store.getTask(id, "t-4")), [FAILED, 0, W1, "W1 lost"]);
    assert.deepEqual(pick(await store.getTask(id, "t-2")), [SUCCESS, 0, W1, null]);
    assert.equal(await store.resetWorkerTasks(fence, W2, { status: INIT, queued: false }), 2);
    assert.deepEqual(pick(await store.getTask(id, "t-0")), [INIT, 1, null, null]);
    assert.deepEqual(pick(await store.getTask(id, "t-3")), [INIT, 1, null, null]);
    assert.deepEqual((await store.claimInit(fence, 10)).map((t) => t.seq), [0, 3]);
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
    await store.setStatus(fence, [0, 12, 3], RUNNING, W2);
    await check("setStatus");
    await store.updateStatuses(fence, [
      { seq: 12, status: SUCCESS, attempt: 0, worker: W2, result: 1 },
      { seq: 9, status: SUCCESS, attempt: 0, worker: W2 }, // same status again
      { seq: 13, status: PULLED, attempt: 0, worker: W1 },
      { seq: 99, status: FAILED, attempt: 0, worker: W1 }, // not stored
    ]);
    await check("updateStatuses");
    await store.resetWorkerTasks(fence, W1, { status: INIT, queued: false });
    await check("resetWorkerTasks to INIT");
    await store.resetWorkerTasks(fence, W2, { status: FAILED, result: "gone" });
    await check("resetWorkerTasks to FAILED");
    await store.setStatus(fence, [1, 2], PULLED, W1);
    await store.resetForResume(fence, true, "restart");
    await check("resetForResume with failover");
    await store.setStatus(fence, [1], RUNNING, W1);
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

  test("identifiers are exact strings: unicode and look-alike taskIds, names and worker keys", async (store) => {
    const fence = await store.createInstance(newInstance({ instanceId: `インスタンス ${crypto.randomUUID()}` }), OWNER_A);
    const id = fence.instanceId;
    const ids = ["タスク-1", "タスク-1 ", "Task", "task", "t/1", "t 1", "ü", "u\u0308", "🚀"];
    const names = ["名前", "名前 ", "Name", "name", "ünï", "🚀", "", "a.b"];
    await store.insertTasks(fence, ids.map((taskId, seq) => ({ ...task(seq, { name: names[seq % names.length]! }), taskId })));
    for (let seq = 0; seq < ids.length; seq++) {
      const t = await store.getTask(id, ids[seq]!);
      assert.deepEqual([t?.seq, t?.taskId, t?.name], [seq, ids[seq], names[seq % names.length]], ids[seq]);
    }
    const expected: Record<string, number> = {};
    for (let seq = 0; seq < ids.length; seq++) expected[`${names[seq % names.length]}/1`] = (expected[`${names[seq % names.length]}/1`] ?? 0) + 1;
    assert.deepEqual(await countMap(store, id), expected);
    const wa = "wörker 🚀#1";
    const wb = "wörker 🚀#1 ";
    await store.setStatus(fence, [0, 1, 2], PULLED, wa);
    await store.setStatus(fence, [3], RUNNING, wb);
    assert.equal(await store.resetWorkerTasks(fence, wb, { status: FAILED, result: "b" }), 1);
    assert.equal(await store.resetWorkerTasks(fence, wa, { status: FAILED, result: "a" }), 3);
    assert.deepEqual((await collect(store.results(id))).map((r) => r.result), ["a", "a", "a", "b", null, null, null, null, null]);
    assert.equal((await store.getInstance(id))?.instanceId, id);
  });

  test("large values: bodies, results and record fields of hundreds of KB round-trip, and replacing one replaces it whole", async (store) => {
    const settings = { blob: bigText(120_000, 1) };
    const params = { blob: bigText(90_000, 2), list: Array.from({ length: 2000 }, (_, i) => ({ i, s: "ключ" })) };
    const spec = newInstance({ settings, params });
    const fence = await store.createInstance(spec, OWNER_A);
    const id = fence.instanceId;
    const progress: Progress = { names: {}, workers: {} };
    for (let i = 0; i < 3000; i++) progress.workers[`worker-${i}@10.0.${i >> 8}.${i & 255}:7000#1`] = { total: i, pulled: 1, running: 2, success: 3, failed: 4, traceId: `trace-${i}` };
    const result = { blob: bigText(300_000, 3) };
    await store.updateInstance(fence, { result, progress });
    let rec = await store.getInstance(id);
    assert.deepEqual([rec?.settings, rec?.params, rec?.result, rec?.progress], [settings, params, result, progress]);
    await store.updateInstance(fence, { result: "small", progress: null });
    rec = await store.getInstance(id);
    assert.deepEqual([rec?.settings, rec?.result, rec?.progress], [settings, "small", null]);

    // 40 tasks of 40 KB in one batch, one of 600 KB, one tiny: several MB in one call.
    const bodies: JsonValue[] = Array.from({ length: 40 }, (_, i) => ({ i, blob: bigText(40_000, i) }));
    bodies.push({ huge: bigText(600_000, 99) }, "tiny");
    await store.insertTasks(fence, bodies.map((body, seq) => task(seq, { body })));
    for (const seq of [0, 39, 40, 41]) assert.deepEqual((await store.getTask(id, `t-${seq}`))?.body, bodies[seq], `body ${seq}`);
    const results: JsonValue[] = bodies.map((_, seq) => (seq % 2 === 0 ? { r: bigText(70_000, seq + 7) } : `r${seq}`));
    await store.updateStatuses(fence, results.map((result, seq) => ({ seq, status: SUCCESS, attempt: 0, worker: W1, result })));
    assert.deepEqual((await collect(store.results(id, 7))).map((r) => r.result), results);
    // Large to small to large again: nothing of an earlier value shows through.
    const again = { r: bigText(150_000, 1234) };
    await store.updateStatuses(fence, [
      { seq: 0, status: FAILED, attempt: 1, worker: W2, result: "short now" },
      { seq: 1, status: FAILED, attempt: 1, worker: W2, result: again },
    ]);
    assert.deepEqual(pick(await store.getTask(id, "t-0")), [FAILED, 1, W2, "short now"]);
    assert.deepEqual(pick(await store.getTask(id, "t-1")), [FAILED, 1, W2, again]);
    assert.deepEqual((await store.claimInit(fence, 100)).length, 0);
    // A large result set on many tasks at once.
    const killed = { why: bigText(100_000, 5) };
    await store.setStatus(fence, range(10, 30), RUNNING, W1);
    assert.equal(await store.failUnfinished(fence, killed), 20);
    assert.deepEqual((await store.getTask(id, "t-29"))?.result, killed);
    assert.deepEqual((await store.getTask(id, "t-40"))?.body, bodies[40]);
    await store.clearTasks(fence);
    assert.deepEqual(await collect(store.results(id)), []);
    assert.deepEqual((await store.getInstance(id))?.settings, settings);
  });

  test("batches of thousands: one call each inserts, claims, marks, fails over, updates and pages through 3,000 tasks", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    const n = 3000;
    const all = range(0, n);
    assert.ok((await store.insertTasks(fence, tasks(0, n))).every((b) => b === 1));
    assert.equal(await store.maxSeq(id), n - 1);
    assert.deepEqual((await store.claimInit(fence, 2500)).map((t) => t.seq), range(0, 2500));
    await store.setStatus(fence, all, PULLED, W1);
    assert.deepEqual(await countMap(store, id), { "shard/2": n });
    assert.equal(await store.resetWorkerTasks(fence, W1, { status: INIT, queued: false }), n);
    const claimed = await store.claimInit(fence, n + 10);
    assert.deepEqual(claimed.map((t) => [t.seq, t.attempt]), all.map((seq) => [seq, 1]));
    await store.updateStatuses(fence, all.map((seq) => ({ seq, status: SUCCESS, attempt: 1, worker: W2, result: { seq } })));
    assert.deepEqual(await countMap(store, id), { "shard/4": n });
    for (const pageSize of [1500, undefined]) {
      const rows = await collect(store.results(id, pageSize));
      assert.deepEqual(rows.map((r) => r.result), all.map((seq) => ({ seq })), `pageSize ${pageSize}`);
    }
    await store.setStatus(fence, all, RUNNING, W2);
    assert.equal(await store.failUnfinished(fence, "killed"), n);
    assert.deepEqual(await countMap(store, id), { "shard/5": n });
    assert.equal(await store.resetWorkerTasks(fence, W2, { status: INIT, queued: false }), 0);
    assert.ok((await store.insertTasks(fence, tasks(0, n))).every((b) => b === 1));
    assert.ok((await store.insertTasks(fence, tasks(0, n).map((t) => ({ ...t, seq: n + t.seq })))).every((b) => b === 0));
    assert.deepEqual(await countMap(store, id), { "shard/5": n });
    assert.equal(await store.maxSeq(id), n - 1);
    await store.clearTasks(fence);
    assert.equal(await store.maxSeq(id), -1);
    assert.deepEqual(await store.countByStatus(id), []);
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
      store.setStatus(fence, [1, 3, 5], INIT, null),
      store.claimInit(fence, 25),
    ]);
    const seqs = [a, b, c, await store.claimInit(fence, 100)].flatMap((claim) => claim.map((t) => t.seq));
    assert.equal(new Set(seqs).size, seqs.length, "a task was claimed twice");
    assert.deepEqual([...seqs].sort((x, y) => x - y), range(0, 60));
    for (const seq of evens) assert.equal((await store.getTask(id, `t-${seq}`))?.attempt, 1, `t-${seq}`);
    assert.deepEqual(await countMap(store, id), { "shard/1": 60 });
  });
}

// ------------------------------------------------------------------ helpers

function newInstance(over: Partial<NewInstance> = {}): NewInstance {
  return {
    instanceId: crypto.randomUUID(),
    processor: "wordCount",
    settings: { dispatchMode: "push", pageSize: 100 },
    params: { input: "s3://bucket/key" },
    serialNum: 0,
    createdAt: 1_700_000_000_000,
    ...over,
  };
}

function task(seq: number, over: Partial<NewTask> = {}): NewTask {
  return { seq, taskId: `t-${seq}`, parentId: "t-root", name: "shard", body: { n: seq }, queued: false, ...over };
}

function tasks(
  from: number, count: number,
  how: { queued?: (seq: number) => boolean; name?: (seq: number) => string } = {},
): NewTask[] {
  return range(from, from + count).map((seq) => task(seq, {
    queued: how.queued?.(seq) ?? false,
    name: how.name?.(seq) ?? "shard",
  }));
}

/** JSON-safe text of `length` characters mixing 1- to 4-byte UTF-8, escapes and quotes, varied by `seed`. */
function bigText(length: number, seed: number): string {
  const alphabet = ["a", "Z", "7", " ", "é", "ж", "€", "日", "🚀", "\"", "\\", "\n", "<", "\u2028"];
  let out = "";
  let x = seed * 2654435761 >>> 0;
  while (out.length < length) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += alphabet[x % alphabet.length]!.repeat(1 + (x >>> 28));
  }
  const cut = out.slice(0, length - 1);
  // Never a lone surrogate: not every JSON store takes one.
  return (/[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) + "?" : cut) + "!";
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

type State = [TaskStatusCode | undefined, number | undefined, string | null | undefined, JsonValue | undefined];

/** [status, attempt, worker, result] of a task. */
function pick(t: TaskRow | null): State {
  return [t?.status, t?.attempt, t?.worker, t?.result];
}

/** "name/status" → count. */
async function countMap(store: TaskStore, id: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of await store.countByStatus(id)) {
    assert.ok(c.count > 0, `countByStatus lists an empty pair ${c.name}/${c.status}`);
    out[`${c.name}/${c.status}`] = c.count;
  }
  return out;
}

function sortCounts(counts: StatusCount[]): StatusCount[] {
  return [...counts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.status - b.status));
}

/** Task states of `workerFixture`: every status, both workers, some queued. */
const FIXTURE_STATES: Readonly<Record<string, State>> = {
  "t-0": [INIT, 0, null, null], // claimable
  "t-1": [PULLED, 0, W1, null],
  "t-2": [RUNNING, 2, W1, null],
  "t-3": [SUCCESS, 0, W1, "ok"],
  "t-4": [FAILED, 1, W1, "no"],
  "t-5": [PULLED, 0, W2, null],
  "t-6": [RUNNING, 1, W2, null],
  "t-7": [INIT, 0, null, null], // queued by the owner
  "t-8": [INIT, 0, W1, null], // INIT yet naming W1: not in flight
  "t-9": [SUCCESS, 0, W2, { v: 9 }],
  "t-10": [INIT, 0, null, null], // queued by the owner
  "t-11": [INIT, 4, null, null], // claimable
};

async function workerFixture(store: TaskStore): Promise<{ fence: Fence; id: string }> {
  const fence = await store.createInstance(newInstance(), OWNER_A);
  await store.insertTasks(fence, tasks(0, 12, { queued: (seq) => seq === 7 || seq === 10 }));
  await store.updateStatuses(fence, Object.entries(FIXTURE_STATES).map(([taskId, [status, attempt, worker, result]]) => ({
    seq: Number(taskId.slice(2)), status: status!, attempt: attempt!, worker: worker ?? null,
    ...(result === null ? {} : { result: result! }),
  })));
  assert.deepEqual(await taskStates(store, fence.instanceId), FIXTURE_STATES);
  return { fence, id: fence.instanceId };
}

async function taskStates(store: TaskStore, id: string): Promise<Record<string, State>> {
  const out: Record<string, State> = {};
  for (const taskId of Object.keys(FIXTURE_STATES)) out[taskId] = pick(await store.getTask(id, taskId));
  return out;
}

/** Claims until nothing is left. */
async function drain(store: TaskStore, fence: Fence): Promise<void> {
  while ((await store.claimInit(fence, 100)).length > 0);
}

/** Everything a read can see of an instance (claimability aside). */
async function snapshot(store: TaskStore, id: string) {
  const tasks: (TaskRow | null)[] = [];
  for (const taskId of [...Object.keys(FIXTURE_STATES), "t-99"]) tasks.push(await store.getTask(id, taskId));
  return {
    record: await store.getInstance(id),
    tasks,
    counts: sortCounts(await store.countByStatus(id)),
    maxSeq: await store.maxSeq(id),
    results: await collect(store.results(id, 5)),
  };
}

/** One call of every write method, with `fence`. */
function writes(fence: Fence): Array<[string, (store: TaskStore) => Promise<unknown>]> {
  return [
    ["updateInstance", (s) => s.updateInstance(fence, { status: "FAILED", result: "stale", finishedAt: 1 })],
    ["insertTasks", (s) => s.insertTasks(fence, [task(99), task(0, { body: "stale" })])],
    ["updateStatuses", (s) => s.updateStatuses(fence, [{ seq: 0, status: SUCCESS, attempt: 5, worker: W2, result: "stale" }])],
    ["setStatus", (s) => s.setStatus(fence, [0, 1, 2], SUCCESS, W2)],
    ["resetWorkerTasks to INIT", (s) => s.resetWorkerTasks(fence, W1, { status: INIT, queued: false })],
    ["resetWorkerTasks to FAILED", (s) => s.resetWorkerTasks(fence, W2, { status: FAILED, result: "stale" })],
    ["failUnfinished", (s) => s.failUnfinished(fence, "stale")],
    ["resetForResume with failover", (s) => s.resetForResume(fence, true, "stale")],
    ["resetForResume without failover", (s) => s.resetForResume(fence, false, "stale")],
    ["claimInit", (s) => s.claimInit(fence, 100)],
    ["clearTasks", (s) => s.clearTasks(fence)],
  ];
}
