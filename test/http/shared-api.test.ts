// X3: the API of shared masters over real HTTP in this process. Any master
// lists every instance; what only the owner can do is forwarded to it — and
// a retry (B26) is taken by the master asked.
import { describe, it, expect, afterEach } from "vitest";
import { HttpTransport, hostMaster } from "../../src/http/index.ts";
import { FORWARDED_HEADER } from "../../src/http/forward.ts";
import { RealClock, MemoryStore, Worker, defineMap, type Master } from "../../src/index.ts";
import { unknownLoad } from "../../src/runtime/load-probe.ts";
import type { TaskStore } from "../../src/store/task-store.ts";
import { serveApp, freePort, type Served } from "../../adapters/node/serve.ts";
import { readEvents } from "../../adapters/node/client.ts";
import { sumSquares } from "../master/processors.ts";

const TOKEN = "s3cret";
const AUTH = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
/** Long leases: nothing is taken over while a test runs. */
const SHARED = { leaseMs: 60_000, renewMs: 1000, takeoverMs: 1000 };

/** WAIT tasks hold until the gate opens: an instance with tasks RUNNING on a worker for as long as a test needs. */
let openGate: () => void = () => undefined;
let gate = new Promise<void>((r) => { openGate = r; });
/** `gated`: ROOT maps params.n WAIT tasks, each waits for the gate; with params.fail every WAIT fails. */
const gated = defineMap<{ n: number; fail?: boolean }>({
  async process(ctx) {
    if (ctx.isRoot) {
      await ctx.map(Array.from({ length: ctx.params.n }, (_, i) => i), "WAIT");
      return { ok: true };
    }
    await gate;
    if (ctx.params.fail) throw new Error(`WAIT ${String(ctx.body)} fails`);
    return { ok: true, result: ctx.body };
  },
});
const PROCESSORS = { sumSquares, gated };

const cleanups: Array<() => unknown> = [];
afterEach(async () => { for (const f of cleanups.splice(0).reverse()) await f(); });

async function sharedMaster(store: TaskStore, lease = SHARED): Promise<{ base: string; master: Master }> {
  const port = await freePort();
  const transport = new HttpTransport(`http://127.0.0.1:${port}`, { token: TOKEN, timeoutMs: 5000 });
  const { master, own } = hostMaster({
    store, transport, clock: new RealClock(), processors: PROCESSORS, loadProbe: unknownLoad, ownWorkerId: `own-${port}`,
    token: TOKEN, shared: lease,
  });
  const served: Served = await serveApp(transport.app, port);
  await master.start();
  cleanups.push(async () => { master.close(); own.close(); await served.close(); });
  return { base: transport.baseUrl, master };
}

/** Two shared masters on one store and a worker serving both. */
async function pair(lease = SHARED) {
  const store = new MemoryStore();
  const a = await sharedMaster(store, lease);
  const b = await sharedMaster(store, lease);
  const port = await freePort();
  const wt = new HttpTransport(`http://127.0.0.1:${port}`, { token: TOKEN, timeoutMs: 5000 });
  const w = new Worker({ workerId: "w1", address: wt.baseUrl, transport: wt, clock: new RealClock(), processors: PROCESSORS, heartbeatMs: 200 });
  const served = await serveApp(wt.app, port);
  await w.join(a.base);
  await w.join(b.base);
  cleanups.push(async () => { w.close(); await served.close(); });
  return { store, a, b };
}

async function submitSlow(base: string): Promise<string> {
  const res = await fetch(`${base}/api/instances`, {
    method: "POST", headers: AUTH,
    body: JSON.stringify({ processor: "sumSquares", params: { n: 2000, ranges: 4 }, settings: { dispatchSpeed: "100/s", execOnMaster: false } }),
  });
  expect(res.status).toBe(201);
  return (await res.json() as { instanceId: string }).instanceId;
}

describe("X3 shared masters' API", () => {
  it("X3: any master lists every instance with its owner; another master's live view and event stream come from the owner", async () => {
    const { a, b } = await pair();
    const id = await submitSlow(a.base);
    const list = await (await fetch(`${b.base}/api/instances`, { headers: AUTH })).json() as { instances: Array<{ instanceId: string; owner: string }> };
    expect(list.instances.find((i) => i.instanceId === id)?.owner).toBe(a.base);
    const res = await fetch(`${b.base}/api/instances/${id}`, { headers: AUTH });
    expect(res.status).toBe(200);
    expect(res.headers.get(FORWARDED_HEADER)).toBe(a.base);
    const v = await res.json() as { status: string; progress: { names: Record<string, { total: number }> } | null };
    expect(v.status).toBe("RUNNING");
    expect(v.progress?.names.ROOT?.total).toBe(1); // live counters: the store holds none while it runs
    // The event stream through B: A's progress events.
    const abort = new AbortController();
    const events = await fetch(`${b.base}/api/instances/${id}/events`, { headers: AUTH, signal: abort.signal });
    expect([events.status, events.headers.get("content-type")]).toEqual([200, "text/event-stream"]);
    const seen: string[] = [];
    await readEvents(events, (event, data) => {
      seen.push(event);
      if ((JSON.parse(data) as { names?: unknown }).names !== undefined) abort.abort();
    }).catch((e: unknown) => { if ((e as Error).name !== "AbortError") throw e; });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.every((e) => e === "progress")).toBe(true);
    await a.master.kill(id);
  });

  it("X3: killing an instance (or one of its tasks) through another master is forwarded to its owner", async () => {
    const { a, b } = await pair();
    const id = await submitSlow(a.base);
    const task = await fetch(`${b.base}/api/instances/${id}/tasks/no-such-task/kill`, { method: "POST", headers: AUTH, body: "{}" });
    expect([task.status, (await task.json() as { field: string }).field]).toEqual([404, "taskId"]); // A's answer
    const res = await fetch(`${b.base}/api/instances/${id}/kill`, { method: "POST", headers: AUTH, body: JSON.stringify({ reason: "through B" }) });
    expect([res.status, await res.json()]).toEqual([200, { killed: true }]);
    const v = await a.master.waitFor(id);
    expect([v.status, v.result]).toEqual(["FAILED", "killed: through B"]);
  });

  it("X3: an owner out of reach: commands get 503 naming it and when to retry; reads still answer from the store", async () => {
    const { store, b } = await pair();
    const gone = `http://127.0.0.1:${await freePort()}`;
    await store.createInstance(
      { instanceId: "orphan", processor: "sumSquares", settings: {}, params: { n: 1, ranges: 1 }, serialNum: 1, createdAt: Date.now() },
      gone, { now: Date.now(), leaseMs: 60_000 });
    const res = await fetch(`${b.base}/api/instances/orphan/kill`, { method: "POST", headers: AUTH, body: "{}" });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("60");
    const body = await res.json() as { error: string; field: string };
    expect(body.field).toBe("id");
    expect(body.error).toContain(`instance orphan runs on ${gone}, which cannot be reached`);
    expect(body.error).toContain("another master takes it over once its lease runs out (at most 60000 ms)");
    const v = await fetch(`${b.base}/api/instances/orphan`, { headers: AUTH });
    expect(v.status).toBe(200);
    expect(await v.json()).toMatchObject({ instanceId: "orphan", status: "RUNNING", owner: gone, progress: null });
    expect((await store.getInstance("orphan"))?.status).toBe("RUNNING");
  });

  it("X3: a forwarded request is answered where it lands, never forwarded again", async () => {
    const { a, b } = await pair();
    const id = await submitSlow(a.base);
    const res = await fetch(`${b.base}/api/instances/${id}/kill`, { method: "POST", headers: { ...AUTH, [FORWARDED_HEADER]: a.base }, body: "{}" });
    expect(res.status).toBe(409);
    expect((await res.json() as { error: string }).error).toBe(`instance ${id} is not running on this master`);
    expect(a.master.running()).toEqual([id]);
    await a.master.kill(id);
  });

  it("X3/B25: another master's running instance's tasks come from its owner, with their live state (RUNNING, the worker)", async () => {
    const { a, b } = await pair();
    gate = new Promise<void>((r) => { openGate = r; });
    const res = await fetch(`${a.base}/api/instances`, { method: "POST", headers: AUTH, body: JSON.stringify({ processor: "gated", params: { n: 3 }, settings: { execOnMaster: false } }) });
    const id = (await res.json() as { instanceId: string }).instanceId;
    const running = async () => {
      const r = await fetch(`${b.base}/api/instances/${id}/tasks?status=RUNNING`, { headers: AUTH });
      expect([r.status, r.headers.get(FORWARDED_HEADER)]).toEqual([200, a.base]);
      return (await r.json() as { tasks: Array<{ taskId: string; status: string; worker: string | null }> }).tasks;
    };
    let tasks = await running();
    for (let t = 0; tasks.length < 3 && t < 200; t++) {
      await new Promise((r) => setTimeout(r, 20));
      tasks = await running();
    }
    expect(tasks.map((t) => [t.taskId, t.status])).toEqual([["r.0.0", "RUNNING"], ["r.0.1", "RUNNING"], ["r.0.2", "RUNNING"]]);
    expect(tasks.every((t) => /^w1#\d+$/.test(t.worker ?? ""))).toBe(true);
    openGate();
    expect((await a.master.waitFor(id)).status).toBe("SUCCESS");
  });

  it("X3/B25: an owner out of reach: the tasks come from this master's store, in their stored state", async () => {
    const { store, b } = await pair();
    const gone = `http://127.0.0.1:${await freePort()}`;
    const fence = await store.createInstance(
      { instanceId: "orphan-tasks", processor: "sumSquares", settings: {}, params: { n: 1, ranges: 1 }, serialNum: 1, createdAt: Date.now() },
      gone, { now: Date.now(), leaseMs: 60_000 });
    await store.insertTasks(fence, [{ seq: 0, taskId: "r", parentId: null, name: "ROOT", body: null, queued: false }]);
    await store.updateStatuses(fence, [{ seq: 0, status: 5, attempt: 1, worker: "w9#1", result: "lost" }]);
    const res = await fetch(`${b.base}/api/instances/orphan-tasks/tasks`, { headers: AUTH });
    expect([res.status, res.headers.get(FORWARDED_HEADER)]).toEqual([200, null]);
    const page = await res.json() as { tasks: Array<{ taskId: string; status: string; worker: string | null }>; cursor: string | null };
    expect(page.cursor).toBeNull();
    expect(page.tasks.map((t) => [t.taskId, t.status, t.worker])).toEqual([["r", "FAILED", "w9#1"]]);
  });

  it("X3/B26: a FAILED instance retried through another master runs there at once: its lease ended with it; nothing is forwarded", async () => {
    const { store, a, b } = await pair({ leaseMs: 1500, renewMs: 300, takeoverMs: 300 });
    openGate();
    const res = await fetch(`${a.base}/api/instances`, { method: "POST", headers: AUTH, body: JSON.stringify({ processor: "gated", params: { n: 2, fail: true }, settings: { execOnMaster: false } }) });
    const id = (await res.json() as { instanceId: string }).instanceId;
    expect((await a.master.waitFor(id)).status).toBe("FAILED");
    const ended = (await store.getInstance(id))!;
    expect(ended.owner).toBe(a.base);
    expect(ended.leaseUntil ?? 0).toBeLessThanOrEqual(Date.now());
    const retry = () => fetch(`${b.base}/api/instances/${id}/retry`, { method: "POST", headers: AUTH, body: "{}" });
    const retried = await retry();
    expect([retried.status, retried.headers.get(FORWARDED_HEADER)]).toEqual([200, null]);
    expect(await retried.json()).toMatchObject({ instanceId: id, serialNum: 2, owner: b.base });
    const v = await b.master.waitFor(id);
    expect([v.status, v.serialNum, v.failedCount]).toEqual(["FAILED", 2, 2]);
    expect((await store.getInstance(id))?.owner).toBe(b.base);
    expect(a.master.running()).toEqual([]);
  });
});
