/**
 * Values stored as they were given: JSON edge cases, exact identifiers, copies, values of hundreds of KB.
 */
import assert from "node:assert/strict";
import { FAILED, PULLED, RUNNING, SUCCESS } from "../../../core-as/shared/constants.ts";
import type { JsonValue } from "../../../src/protocol/messages.ts";
import type { Progress } from "../../../src/store/task-store.ts";
import { collect, countMap, newInstance, OWNER_A, pick, range, setRows, task, tasks, W1, W2, type StoreTest } from "./fixtures.ts";
import { JSON_SAMPLES, bigText } from "./json-samples.ts";

/** Registers the tests of this part of the suite with `test`. */
export function registerValueTests(test: StoreTest): void {
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

  test("JSON results given to updateStatuses, failUnfinished and resetForResume round-trip exactly", async (store) => {
    const fence = await store.createInstance(newInstance(), OWNER_A);
    const id = fence.instanceId;
    const nested = JSON_SAMPLES.at(-1)!;
    await store.insertTasks(fence, tasks(0, 3));
    await setRows(store, fence, [0], PULLED, W1);
    await setRows(store, fence, [1], RUNNING, W2);
    await store.updateStatuses(fence, [{ seq: 0, status: FAILED, attempt: 0, worker: W1, result: nested }]);
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
    await setRows(store, fence, [0, 1, 2], PULLED, wa);
    await setRows(store, fence, [3], RUNNING, wb);
    assert.deepEqual((await store.listTasks(id, { limit: 5 })).map((r) => r.worker), [wa, wa, wa, wb, null]);
    await store.updateStatuses(fence, [3, 0, 1, 2].map((seq) => ({ seq, status: FAILED, attempt: 0, worker: seq === 3 ? wb : wa, result: seq === 3 ? "b" : "a" })));
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
    await setRows(store, fence, range(10, 30), RUNNING, W1);
    assert.equal(await store.failUnfinished(fence, killed), 20);
    assert.deepEqual((await store.getTask(id, "t-29"))?.result, killed);
    assert.deepEqual((await store.getTask(id, "t-40"))?.body, bodies[40]);
    await store.clearTasks(fence);
    assert.deepEqual(await collect(store.results(id)), []);
    assert.deepEqual((await store.getInstance(id))?.settings, settings);
  });
}
