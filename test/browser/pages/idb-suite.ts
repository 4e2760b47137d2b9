/**
 * Page entry of test/browser/idb-chromium.test.ts: runs the TaskStore
 * conformance suite against IdbStore on the page's real IndexedDB, checks the
 * WASM core (embedded as base64) loads and works, and runs a small MapReduce
 * job on the real Master with IdbStore. Results land in `window.suiteResults`.
 */
import { createWasmCore } from "../../../src/core/index.ts";
import { runStoreSuite } from "../../store/conformance/index.ts";
import type { TaskStore } from "../../../src/store/task-store.ts";
import { IdbStore } from "../../../adapters/browser/idb-store.ts";
import { InProcessNetwork, Master, RealClock, Worker, defineMapReduce } from "../../../src/index.ts";

/** One test's outcome. */
export interface CaseResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/** What the page reports. */
export interface SuiteResults {
  done: boolean;
  cases: CaseResult[];
  userAgent: string;
}

const results: SuiteResults = { done: false, cases: [], userAgent: navigator.userAgent };
(globalThis as unknown as { suiteResults: SuiteResults }).suiteResults = results;

const tests: { name: string; fn: () => Promise<void> }[] = [];
const dbNames = new WeakMap<TaskStore, string>();

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error);
  });
}

runStoreSuite({
  test: (name, fn) => tests.push({ name: `conformance: ${name}`, fn }),
  newStore: async () => {
    const dbName = `taskmill-suite-${crypto.randomUUID()}`;
    const store = new IdbStore({ dbName });
    dbNames.set(store, dbName);
    return store;
  },
  cleanup: async (store) => {
    await store.close();
    await deleteDatabase(dbNames.get(store)!);
  },
  openTwin: async (store) => new IdbStore({ dbName: dbNames.get(store)! }),
});

tests.push({
  name: "wasm core: the embedded module instantiates; queue, counters and engine work in the page",
  fn: async () => {
    const core = createWasmCore({ queueCapacity: 8, maxNames: 4 });
    if (core.engine !== "wasm") throw new Error(`engine ${core.engine}`);
    const pushed = core.queue.pushBatch(Uint32Array.from([7, 8, 9, 10, 11, 12, 13, 14, 15, 16]));
    if (pushed !== 8) throw new Error(`pushed ${pushed} into a queue of 8`);
    const out = new Uint32Array(8);
    const got = core.queue.popBatch(out);
    if (got !== 8 || out.join() !== "7,8,9,10,11,12,13,14") throw new Error(`popped ${got}: ${out.join()}`);
    core.counters.add(Int32Array.from([2]), Int32Array.from([5]));
    const n = core.counters.name(2);
    if (n.total !== 5 || n.init !== 5) throw new Error(`counters ${JSON.stringify(n)}`);
  },
});

const squares = defineMapReduce<{ n: number }>({
  async process(ctx) {
    if (ctx.isRoot) {
      await ctx.map(Array.from({ length: ctx.params.n }, (_, i) => i), "NUM");
      return { ok: true };
    }
    const x = ctx.body as number;
    return { ok: true, result: x * x };
  },
  async reduce(ctx) {
    let sum = 0;
    for await (const r of ctx.results) if (r.name === "NUM") sum += r.result as number;
    return { ok: true, result: sum };
  },
});

tests.push({
  name: "master on the wasm core and IdbStore runs a 300-task MapReduce to SUCCESS with exact counters",
  fn: async () => {
    const dbName = `taskmill-job-${crypto.randomUUID()}`;
    const store = new IdbStore({ dbName });
    const clock = new RealClock();
    const net = new InProcessNetwork(clock);
    const processors = { squares };
    const own = new Worker({ workerId: "master", address: "master/worker", transport: net, clock, processors });
    const master = new Master({ store, transport: net, clock, address: "master", ownWorker: own, engine: "wasm" });
    const workers = ["w1", "w2"].map((id) => new Worker({ workerId: id, address: id, transport: net, clock, processors }));
    try {
      await master.start();
      for (const w of workers) await w.join("master");
      const id = await master.submit({ processor: "squares", params: { n: 300 }, settings: { pageSize: 50, progressMs: 100 } });
      const done = await master.waitFor(id);
      const expected = (299 * 300 * 599) / 6;
      if (done.status !== "SUCCESS" || done.result !== expected) throw new Error(`${done.status} ${JSON.stringify(done.result)}`);
      const num = done.progress?.names["NUM"];
      if (!num || num.total !== 300 || num.success !== 300 || num.failed !== 0) throw new Error(`NUM counters ${JSON.stringify(num)}`);
    } finally {
      for (const w of workers) w.close();
      master.close();
      own.close();
      await store.close();
      await deleteDatabase(dbName);
    }
  },
});

async function main(): Promise<void> {
  for (const t of tests) {
    const t0 = performance.now();
    try {
      await t.fn();
      results.cases.push({ name: t.name, ok: true, ms: performance.now() - t0 });
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      results.cases.push({ name: t.name, ok: false, ms: performance.now() - t0, error });
    }
  }
  results.done = true;
  document.body.textContent = `${results.cases.filter((c) => c.ok).length}/${results.cases.length} passed`;
}

void main();
