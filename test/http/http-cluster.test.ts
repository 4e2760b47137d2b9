import { describe, it, expect, afterEach } from "vitest";
import { startHttpCluster } from "./cluster.ts";
import { HttpTransport } from "../../src/http/index.ts";
import { Master, Worker, RealClock, MemoryStore } from "../../src/index.ts";
import { serveApp, freePort } from "../../adapters/node/serve.ts";
import { sumOfSquares } from "../master/processors.ts";

import { request as httpRequest } from "node:http";

/** POSTs with node:http and resolves with the status even when the server stops reading the body (413). */
function postStatus(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", (e) => setTimeout(() => reject(e), 100));
    req.end(body);
  });
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => { for (const f of cleanups.splice(0).reverse()) await f(); });

/** A master and `n` workers on their own ports in this process (test/http/cluster.ts), stopped after each test. */
async function httpCluster(n: number, token?: string) {
  const c = await startHttpCluster({ workers: n, token });
  cleanups.push(c.stop);
  return c;
}

describe("HTTP transport", () => {
  it("a MapReduce job runs over HTTP between a master and two worker endpoints", async () => {
    const { base, master, workers } = await httpCluster(2);
    const res = await fetch(`${base}/api/instances`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ processor: "sumSquares", params: { n: 2000, ranges: 4 }, settings: { execOnMaster: false } }) });
    expect(res.status).toBe(201);
    const { instanceId } = await res.json() as { instanceId: string };
    const v = await master.waitFor(instanceId);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sumOfSquares(2000), count: 2000 });
    for (const w of workers) expect(Object.keys(v.progress!.workers).some((k) => k.startsWith(w.workerId))).toBe(true);
    const got = await (await fetch(`${base}/api/instances/${instanceId}`)).json() as { status: string };
    expect(got.status).toBe("SUCCESS");
  });

  it("pull mode over HTTP", async () => {
    const { base, master } = await httpCluster(2);
    const res = await fetch(`${base}/api/instances`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ processor: "sumSquares", params: { n: 500, ranges: 5 }, settings: { dispatchMode: "pull", pullWaitMs: 200 } }) });
    const { instanceId } = await res.json() as { instanceId: string };
    const v = await master.waitFor(instanceId);
    expect(v.result).toEqual({ sum: sumOfSquares(500), count: 500 });
  });

  it("with a token, every route needs it: 401 and nothing changes", async () => {
    const { base, master } = await httpCluster(1, "s3cret");
    const routes = [
      ["POST", "/api/instances"], ["GET", "/api/instances"], ["GET", "/api/instances/x/tasks"], ["POST", "/api/instances/x/retry"],
      ["GET", "/metrics"], ["POST", "/workers/register"], ["POST", "/worker/tasks/start"],
    ] as const;
    for (const [method, path] of routes) {
      const res = await fetch(base + path, { method, headers: { "content-type": "application/json", authorization: "Bearer nope" }, body: method === "POST" ? "{}" : undefined });
      expect(res.status, path).toBe(401);
      expect((await res.json() as { error: string }).error).toMatch(/bearer token/);
    }
    expect(await master.list()).toEqual([]);
    const ok = await fetch(`${base}/api/instances`, { headers: { authorization: "Bearer s3cret" } });
    expect(ok.status).toBe(200);
  });

  it("bad requests get {error, field} 4xx: malformed JSON, wrong types, unknown ids, oversized bodies", async () => {
    const { base, master } = await httpCluster(1);
    const post = (path: string, body: string) => fetch(base + path, { method: "POST", headers: { "content-type": "application/json" }, body });
    let r = await post("/api/instances", "{not json");
    expect(r.status).toBe(400);
    r = await post("/api/instances", JSON.stringify({ processor: 42 }));
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ field: "processor" });
    r = await post("/api/instances", JSON.stringify({ processor: "sumSquares", settings: { pageSize: -1 } }));
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ field: "pageSize", error: "pageSize: Expected an integer from 1 to 100000, got -1" });
    r = await post("/api/instances", JSON.stringify({ processor: "nope" }));
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ field: "processor" });
    expect((await fetch(`${base}/api/instances/unknown-id`)).status).toBe(404);
    expect((await post("/api/instances/unknown-id/kill", "{}")).status).toBe(404);
    expect(await postStatus(`${base}/api/instances`, JSON.stringify({ processor: "sumSquares", params: "x".repeat(2 * 2 ** 20) }))).toBe(413);
    r = await post("/workers/report", JSON.stringify({ type: "report", worker: { workerId: "ghost", incarnation: 1, secret: "0123456789abcdef0123456789abcdef" }, load: { freeSlots: 0, cpuFree: null, memFree: null }, reports: [] }));
    expect(r.status).toBe(409);
    r = await post("/workers/map", JSON.stringify({ type: "map" }));
    expect(r.status).toBe(400);
    expect(await master.list()).toEqual([]);
  });

  it("serves /health, /metrics and /openapi.json", async () => {
    const { base } = await httpCluster(1);
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ ok: true });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^# HELP taskmill_instances_running/m);
    expect(metrics).toMatch(/^taskmill_workers 2$/m);
    const doc = await (await fetch(`${base}/openapi.json`)).json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/instances", "/api/instances/{id}/tasks", "/api/instances/{id}/retry", "/workers/report", "/workers/map"]));
    // B25/B26: the new routes' answers are described by the same schemas tests parse real answers with.
    const { paths, components } = doc as unknown as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema: Record<string, unknown> }>; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const tasks = paths["/api/instances/{id}/tasks"]!.get!;
    expect(tasks.parameters!.map((p) => p.name)).toEqual(["id", "status", "name", "limit", "cursor"]);
    expect(tasks.parameters!.find((p) => p.name === "limit")!.schema).toEqual({ type: "integer", minimum: 1, maximum: 1000, default: 100 });
    expect(tasks.responses["200"]!.content!["application/json"]!.schema).toEqual({ $ref: "#/components/schemas/TaskPage" });
    expect(Object.keys(tasks.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "404"]));
    const retry = paths["/api/instances/{id}/retry"]!.post!;
    expect(retry.responses["200"]!.content!["application/json"]!.schema).toEqual({ $ref: "#/components/schemas/InstanceView" });
    expect(Object.keys(retry.responses)).toEqual(expect.arrayContaining(["200", "404", "409"]));
    expect(Object.keys(components.schemas.InstanceView!.properties)).toEqual(expect.arrayContaining(["failedCount", "errors", "retainUntil"]));
  });

  it("streams progress as Server-Sent Events until done", async () => {
    const { base } = await httpCluster(1);
    const res = await fetch(`${base}/api/instances`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ processor: "sumSquares", params: { n: 3000, ranges: 3 }, settings: { progressMs: 20, dispatchSpeed: "10000/s" } }) });
    const { instanceId } = await res.json() as { instanceId: string };
    const sse = await fetch(`${base}/api/instances/${instanceId}/events`);
    expect(sse.headers.get("content-type")).toMatch(/text\/event-stream/);
    const text = await sse.text();
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe("progress");
    expect(events.at(-1)).toBe("done");
    const last = JSON.parse(text.trim().split("\n").filter((l) => l.startsWith("data: ")).at(-1)!.slice(6)) as { status: string };
    expect(last.status).toBe("SUCCESS");
  });
});

describe("HTTP body limits", () => {
  it("report batches stay under the master's body limit; one oversized result fails only its own task", async () => {
    const clock = new RealClock();
    const big = (await import("../../src/index.ts")).defineMapReduce({
      async process(ctx) {
        if (ctx.isRoot) { await ctx.map(Array.from({ length: 40 }, (_, i) => i), "X"); return { ok: true }; }
        // Task 7's result alone is over the master's 16 KiB body limit (but under maxResultBytes).
        return { ok: true, result: "y".repeat(ctx.body === 7 ? 20_000 : 3_000) };
      },
      async reduce(ctx) {
        let ok = 0;
        for await (const r of ctx.results) if (r.name === "X" && r.status === "SUCCESS") ok++;
        return { ok: true, result: ok };
      },
    });
    const processors = { big };
    const mport = await freePort();
    const base = `http://127.0.0.1:${mport}`;
    const mt = new HttpTransport(base, { maxBodyBytes: 16 * 1024 });
    const own = new Worker({ workerId: "own", address: `${base}/worker`, transport: mt, clock, processors });
    const master = new Master({ store: new MemoryStore(), transport: mt, clock, address: base, ownWorker: own });
    const s1 = await serveApp(mt.app, mport);
    await master.start();
    const port = await freePort();
    const wt = new HttpTransport(`http://127.0.0.1:${port}`);
    const w = new Worker({ workerId: "w1", address: wt.baseUrl, transport: wt, clock, processors });
    const s2 = await serveApp(wt.app, port);
    await w.join(base);
    cleanups.push(async () => { master.close(); own.close(); w.close(); await s1.close(); await s2.close(); });
    const id = await master.submit({ processor: "big", settings: { execOnMaster: false } });
    const v = await master.waitFor(id);
    expect(v.status).toBe("FAILED");
    expect(v.progress!.names.X).toMatchObject({ total: 40, success: 39, failed: 1 });
  });
});

describe("HTTP transport: local requests", () => {
  it("B14: a tight loop of local requests (a root mapping through its own master) still lets timers and sockets run", async () => {
    const t = new HttpTransport("http://127.0.0.1:7998");
    const busyMs = 2;
    // A master endpoint whose handler answers at once after a little CPU work, as a map batch stored synchronously does.
    t.serve("http://127.0.0.1:7998", "master", async () => {
      const end = performance.now() + busyMs;
      while (performance.now() < end) { /* the store's synchronous work */ }
      return { ok: true, incarnation: 1, secret: "0123456789abcdef0123456789abcdef", credential: "0123456789abcdef0123456789abcdef" };
    });
    let timerRanAfter = -1;
    let sent = 0;
    setTimeout(() => { timerRanAfter = sent; }, 0);
    const register = { type: "register" as const, workerId: "w", address: "http://127.0.0.1:1/w", slots: 1, load: { freeSlots: 1, cpuFree: null, memFree: null } };
    // 150 requests × 2 ms = 300 ms of work that never waits on I/O: without yielding, the timer would run after all of them.
    for (; sent < 150; sent++) await t.request("http://127.0.0.1:7998", register);
    expect(timerRanAfter).toBeGreaterThanOrEqual(0);
    expect(timerRanAfter).toBeLessThan(150);
  });
});
