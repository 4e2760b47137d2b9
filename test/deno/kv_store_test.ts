// The TaskStore conformance suite under Deno against Deno KV (a fresh in-memory database per store),
// then what only Deno KV has: several stores on one database, leftover keys, key limits, multi-MB values.
import assert from "node:assert/strict";
import { runStoreSuite } from "../store/conformance/index.ts";
import { DenoKvStore } from "../../adapters/deno/kv-store.ts";
import { FencedError } from "../../src/store/errors.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import type { NewTask, TaskStore } from "../../src/store/task-store.ts";

const kvs = new WeakMap<TaskStore, Deno.Kv>();

runStoreSuite({
  test: (name, fn) => Deno.test(`deno kv store: ${name}`, fn),
  newStore: async () => {
    const kv = await Deno.openKv(":memory:");
    const store = new DenoKvStore(kv);
    kvs.set(store, kv);
    return store;
  },
  cleanup: async (store) => kvs.get(store)?.close(),
  // A second store on the same database: another master.
  openTwin: async (store) => new DenoKvStore(kvs.get(store)!),
});

const spec = () => ({ instanceId: crypto.randomUUID(), processor: "p", settings: {}, params: null, serialNum: 0, createdAt: 1 });
const tasks = (from: number, n: number, body: (seq: number) => unknown = (seq) => ({ seq })): NewTask[] =>
  Array.from({ length: n }, (_, i) => ({ seq: from + i, taskId: `t-${from + i}`, parentId: null, name: "shard", body: body(from + i) as NewTask["body"], queued: false }));

/** Keys per kind ("t", "i", "u", ...) under the store's prefix. */
async function kinds(kv: Deno.Kv): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const e of kv.list({ prefix: ["taskmill"] })) out[String(e.key[1])] = (out[String(e.key[1])] ?? 0) + 1;
  return out;
}

async function withKv(fn: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

Deno.test("deno kv: two stores on one database (two masters) race claims without handing a task out twice; the deposed one is fenced", () => withKv(async (kv) => {
  const a = new DenoKvStore(kv);
  const b = new DenoKvStore(kv);
  const fence = await a.createInstance(spec(), "master-a");
  await a.insertTasks(fence, tasks(0, 600));
  const claims = await Promise.all([a.claimInit(fence, 150), b.claimInit(fence, 150), a.claimInit(fence, 150), b.claimInit(fence, 200)]);
  const seqs = claims.flatMap((c) => c.map((t) => t.seq));
  assert.equal(new Set(seqs).size, seqs.length, "a task was claimed twice");
  assert.equal(seqs.length, 600);
  const taken = await b.acquireInstance(fence.instanceId, "master-b");
  await assert.rejects(a.updateStatuses(fence, [{ seq: 0, status: 2, attempt: 0, worker: "w#1" }]), FencedError);
  await assert.rejects(a.insertTasks(fence, tasks(600, 10)), FencedError);
  assert.equal(await b.maxSeq(fence.instanceId), 599);
  await b.updateStatuses(taken, [{ seq: 0, status: 2, attempt: 0, worker: "w#1" }]);
  assert.equal((await a.getTask(fence.instanceId, "t-0"))?.status, 2);
}));

/** `kv` with every atomic commit counted, and the one numbered `failAt` (from 1) throwing as a lost connection would. */
function flakyKv(kv: Deno.Kv): { kv: Deno.Kv; failAt: (n: number) => void } {
  let commits = 0;
  let failing = 0;
  const proxy = new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = () => (++commits === failing ? Promise.reject(new Error("connection lost")) : commit());
          return op;
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: proxy, failAt: (n) => { commits = 0; failing = n; } };
}

Deno.test("deno kv: a batch whose commit failed after its first atomics landed comes back all ones when retried, and nothing is stored twice", () => withKv(async (kv) => {
  const flaky = flakyKv(kv);
  const store = new DenoKvStore(flaky.kv);
  const fence = await store.createInstance(spec(), "m");
  const batch = tasks(0, 3000).map((t) => ({ ...t, queued: t.seq % 2 === 0 }));
  flaky.failAt(3);
  await assert.rejects(store.insertTasks(fence, batch), /connection lost/);
  const landed = (await kinds(kv)).t ?? 0;
  assert.ok(landed > 0 && landed < 3000, `${landed} tasks landed before the failure`);
  const mask = await store.insertTasks(fence, batch);
  assert.equal(mask.indexOf(0), -1);
  assert.deepEqual(await store.countByStatus(fence.instanceId), [{ name: "shard", status: 1, count: 3000 }]);
  assert.equal((await kinds(kv)).t, 3000);
  // Queued flags as the batch gave them: only the unqueued half is claimable.
  assert.equal((await store.claimInit(fence, 5000)).length, 1500);
}));

Deno.test("deno kv: clearTasks leaves no key of the old tasks behind, spilled parts included", () => withKv(async (kv) => {
  const store = new DenoKvStore(kv);
  const fence = await store.createInstance(spec(), "m");
  await store.insertTasks(fence, tasks(0, 1500, (seq) => (seq % 500 === 0 ? "x".repeat(200_000) : { seq })));
  await store.updateStatuses(fence, [1, 2, 3].map((seq) => ({ seq, status: 2 as const, attempt: 0, worker: "w#1" })));
  await store.updateStatuses(fence, [{ seq: 4, status: 4, attempt: 0, worker: "w#1", result: "y".repeat(100_000) }]);
  const before = await kinds(kv);
  assert.ok(before.t === 1500 && before.i === 1500 && before.w === undefined && before.b! > 3, JSON.stringify(before));
  await store.clearTasks(fence);
  const after = await kinds(kv);
  for (const kind of ["t", "i", "u", "w", "c", "b", "gc"]) assert.equal(after[kind], undefined, `${kind} keys left: ${JSON.stringify(after)}`);
  assert.deepEqual([...await store.insertTasks(fence, tasks(0, 2))], [1, 1]);
}));

Deno.test("deno kv: a result of several MB lands whole, and replacing it leaves no part of it behind", () => withKv(async (kv) => {
  const store = new DenoKvStore(kv);
  const fence = await store.createInstance(spec(), "m");
  await store.insertTasks(fence, tasks(0, 3));
  const big = (c: string) => ({ blob: c.repeat(1_500_000) }); // 3 MB as UTF-8: more than one atomic holds
  await store.updateStatuses(fence, [{ seq: 1, status: 4, attempt: 0, worker: null, result: big("é") }]);
  assert.deepEqual((await store.getTask(fence.instanceId, "t-1"))?.result, big("é"));
  await store.updateStatuses(fence, [{ seq: 1, status: 4, attempt: 0, worker: null, result: big("ж") }]);
  const parts = (await kinds(kv)).b;
  assert.deepEqual((await store.getTask(fence.instanceId, "t-1"))?.result, big("ж"));
  await store.updateStatuses(fence, [{ seq: 1, status: 5, attempt: 1, worker: null, result: "small" }]);
  assert.equal((await kinds(kv)).b, undefined, `parts left after ${parts}`);
  assert.deepEqual((await store.getTask(fence.instanceId, "t-1"))?.result, "small");
  await store.updateInstance(fence, { result: big("€"), progress: { names: {}, workers: {} } });
  assert.deepEqual((await store.getInstance(fence.instanceId))?.result, big("€"));
  await store.updateInstance(fence, { result: null });
  assert.equal((await kinds(kv)).ib, undefined);
}));

Deno.test("deno kv: stores with different prefixes share a database without meeting", () => withKv(async (kv) => {
  const a = new DenoKvStore(kv, { prefix: ["app", "a"] });
  const b = new DenoKvStore(kv, { prefix: ["app", "b"] });
  const s = spec();
  const fa = await a.createInstance(s, "m");
  const fb = await b.createInstance(s, "m"); // the same id: no clash
  await a.insertTasks(fa, tasks(0, 5));
  await b.clearTasks(fb);
  assert.equal(await a.maxSeq(s.instanceId), 4);
  assert.equal(await b.maxSeq(s.instanceId), -1);
  assert.equal((await b.listInstances()).length, 1);
}));

Deno.test("deno kv: ids too long for a Deno KV key are refused with ValidationError; open() owns its database", async () => {
  const store = await DenoKvStore.open(":memory:");
  const long = "ü".repeat(600); // 1,200 bytes of UTF-8
  await assert.rejects(store.createInstance({ ...spec(), instanceId: long }, "m"), ValidationError);
  const fence = await store.createInstance(spec(), "m");
  await assert.rejects(store.insertTasks(fence, [{ ...tasks(0, 1)[0]!, taskId: long }]), ValidationError);
  await assert.rejects(store.updateStatuses(fence, [{ seq: 0, status: 2, attempt: 0, worker: long }]), ValidationError);
  assert.equal(await store.getTask(fence.instanceId, long), null);
  assert.equal(await store.maxSeq(fence.instanceId), -1);
  assert.equal(store.kind, "deno-kv");
  await store.close();
  await store.close(); // twice is fine
});

Deno.test("deno kv: rows and records written before the failure fields read with their defaults, and take the new writes", () => withKv(async (kv) => {
  const store = new DenoKvStore(kv);
  const s = { ...spec(), createdAt: 1_600_000_000_000 };
  const fence = await store.createInstance(s, "m");
  await store.insertTasks(fence, tasks(0, 3));
  await store.updateStatuses(fence, [{ seq: 1, status: 5, attempt: 2, worker: "w#1", result: "bad" }]);
  // Rewritten in the shapes stored before: no failure fields, no updatedAt, no record fields.
  const inst = ["taskmill", "inst", s.instanceId];
  const { failedCount: _c, errors: _e, startedAt: _s, retainUntil: _r, ...oldRecord } = (await kv.get<Record<string, unknown>>(inst)).value!;
  await kv.set(inst, oldRecord);
  for await (const e of kv.list<Record<string, unknown>>({ prefix: ["taskmill", "t"] })) {
    const { f: _f, nb: _nb, e: _err, u: _u, ...oldRow } = e.value;
    await kv.set(e.key, oldRow);
  }
  const rec = await store.getInstance(s.instanceId);
  assert.deepEqual([rec?.failedCount, rec?.errors, rec?.startedAt, rec?.retainUntil, rec?.createdAt], [0, [], null, null, s.createdAt]);
  const defaults = { failures: 0, notBefore: null, error: null, updatedAt: s.createdAt };
  assert.deepEqual(await store.getTask(s.instanceId, "t-1"), {
    seq: 1, taskId: "t-1", parentId: null, name: "shard", body: { seq: 1 }, status: 5, attempt: 2, worker: "w#1", result: "bad", ...defaults,
  });
  assert.deepEqual((await store.listTasks(s.instanceId, { limit: 5 })).map((t) => t.updatedAt), [s.createdAt, s.createdAt, s.createdAt]);
  const results = [];
  for await (const r of store.results(s.instanceId)) results.push([r.attempt, r.error]);
  assert.deepEqual(results, [[0, null], [2, null], [0, null]]);
  assert.deepEqual((await store.claimInit(fence, 1)).map((t) => [t.seq, t.updatedAt, t.failures]), [[0, s.createdAt, 0]]);
  // The new writes land on the old shapes.
  assert.equal(await store.retryFailed(fence), 1);
  await store.updateStatuses(fence, [{ seq: 1, status: 5, attempt: 3, worker: "w#1", failures: 1, error: { message: "again" }, at: 7 }]);
  const t1 = await store.getTask(s.instanceId, "t-1");
  assert.deepEqual([t1?.attempt, t1?.failures, t1?.error, t1?.updatedAt], [3, 1, { message: "again" }, 7]);
  await store.updateInstance(fence, { status: "FAILED", errors: [{ taskId: "t-1", name: "shard", attempt: 3, worker: "w#1", message: "again" }], retainUntil: 10 });
  assert.equal((await store.getInstance(s.instanceId))?.errors.length, 1);
  assert.equal(await store.sweepRetained(10), 1);
  assert.equal(await store.maxSeq(s.instanceId), -1);
}));

Deno.test("deno kv: sweepRetained leaves no key of the swept tasks behind, and a record's errors too big for one value spill and come back whole", () => withKv(async (kv) => {
  const store = new DenoKvStore(kv);
  const fence = await store.createInstance(spec(), "m");
  await store.insertTasks(fence, tasks(0, 1500, (seq) => (seq % 700 === 0 ? "x".repeat(100_000) : { seq })));
  await store.updateStatuses(fence, [{ seq: 3, status: 5, attempt: 0, worker: "w#1", result: "y".repeat(100_000), error: { message: "m" } }]);
  // Ten summaries of long task ids and 4 KiB messages: more than one Deno KV value holds.
  const errors = Array.from({ length: 10 }, (_, i) => ({ taskId: `t-${i}-${"i".repeat(3000)}`, name: "shard", attempt: 0, worker: null, message: "€".repeat(1365) }));
  await store.updateInstance(fence, { status: "FAILED", errors, retainUntil: 5 });
  assert.deepEqual((await store.getInstance(fence.instanceId))?.errors, errors);
  assert.ok(((await kinds(kv)).ib ?? 0) > 0, "the errors spilled");
  assert.equal(await store.sweepRetained(5), 1);
  const after = await kinds(kv);
  for (const kind of ["t", "i", "u", "w", "c", "b", "gc", "retain"]) assert.equal(after[kind], undefined, `${kind} keys left: ${JSON.stringify(after)}`);
  await store.updateInstance(fence, { errors: [] });
  assert.equal((await kinds(kv)).ib, undefined);
}));
