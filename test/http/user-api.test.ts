// The user API as a console and a Prometheus server use it: idempotent submit (A1), the OpenAPI
// document (A2), listing instances by status and processor page by page (A3), the loaded
// processors (A4), and /metrics (A5).
import { describe, it, expect, afterAll, beforeAll } from "vitest";
import { validate, compileErrors } from "@readme/openapi-parser";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { startHttpCluster } from "./cluster.ts";
import { defineMap, defineMapReduce } from "../../src/index.ts";
import { HttpTransport, masterApi } from "../../src/http/index.ts";
import { InstanceViewSchema } from "../../src/http/view-schemas.ts";
import { InstanceList } from "../../src/http/api-schemas.ts";
import { SubmitConflictError } from "../../src/master/errors.ts";
import { processMetrics } from "../../adapters/node/process-metrics.ts";
import { masterClient } from "../../adapters/node/client.ts";
import { DEFAULT_SETTINGS } from "../../src/master/settings.ts";
import { reportColumns } from "../../src/protocol/columns.ts";

/** ROOT maps `n` leaves; the leaf `fail` (when given) throws. */
const leaves = defineMap<{ n: number; fail?: number }>({
  async process(ctx) {
    if (ctx.isRoot) {
      await ctx.map(Array.from({ length: ctx.params.n }, (_, i) => i), "LEAF");
      return { ok: true };
    }
    if (ctx.body === ctx.params.fail) throw new Error(`leaf ${ctx.body} fails`);
    return { ok: true, result: ctx.body };
  },
});
/** Sums its leaves: a MapReduce for the processors list. */
const sum = defineMapReduce<{ n: number }>({
  async process(ctx) {
    if (ctx.isRoot) {
      await ctx.map(Array.from({ length: ctx.params.n }, (_, i) => i), "LEAF");
      return { ok: true };
    }
    return { ok: true, result: ctx.body };
  },
  async reduce(ctx) {
    let s = 0;
    for await (const r of ctx.results) if (r.name === "LEAF") s += r.result as number;
    return { ok: true, result: s };
  },
});
let release: () => void = () => undefined;
/** ROOT waits until the test releases it: an instance that stays RUNNING meanwhile. */
const gated = defineMap({
  async process(ctx) {
    if (ctx.isRoot) await new Promise<void>((r) => { release = r; });
    return { ok: true };
  },
});

let cluster: Awaited<ReturnType<typeof startHttpCluster>>;
beforeAll(async () => { cluster = await startHttpCluster({ workers: 1, processors: { leaves, sum, gated } }); });
afterAll(async () => { release(); await cluster?.stop(); });

const post = (path: string, body: unknown) => fetch(`${cluster.base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const get = (path: string) => fetch(`${cluster.base}${path}`);

describe("A1 idempotent submit", () => {
  it("A1: the same submit again answers 200 with the same id and creates nothing; a different processor, params or settings is 409 naming it", async () => {
    const body = { processor: "leaves", params: { n: 3, fail: -1 }, settings: { pageSize: 10 }, instanceId: "a1-key" };
    const first = await post("/api/instances", body);
    expect([first.status, await first.json()]).toEqual([201, { instanceId: "a1-key" }]);
    await cluster.master.waitFor("a1-key");
    // Keys reordered and a default written out: still the same submit.
    const again = await post("/api/instances", { instanceId: "a1-key", settings: { pageSize: 10, dispatchMode: "push" }, params: { fail: -1, n: 3 }, processor: "leaves" });
    expect([again.status, await again.json()]).toEqual([200, { instanceId: "a1-key" }]);
    for (const [change, field] of [[{ processor: "sum", params: { n: 3 } }, "processor"], [{ params: { n: 4, fail: -1 } }, "params"], [{ settings: { pageSize: 11 } }, "settings"]] as const) {
      const res = await post("/api/instances", { ...body, ...change });
      expect(res.status, field).toBe(409);
      const e = await res.json() as { error: string; field: string };
      expect(e.field).toBe(field);
      expect(e.error).toContain(`different ${field}`);
    }
    const mine = (await cluster.master.list()).filter((v) => v.instanceId === "a1-key");
    expect(mine.length).toBe(1);
    expect(mine[0]!.serialNum).toBe(1);
  });

  it("A1: a submit retried after its reply was lost gets the instance the first one created; Master.submit keeps the same rule", async () => {
    const body = { processor: "leaves", params: { n: 2 }, instanceId: "a1-lost" };
    // The first reply never reaches the client: it gives up on it (the body is dropped unread).
    const lost = await post("/api/instances", body);
    await lost.body?.cancel();
    const retried = await post("/api/instances", body);
    expect([retried.status, await retried.json()]).toEqual([200, { instanceId: "a1-lost" }]);
    expect(await cluster.master.submit(body)).toBe("a1-lost");
    await expect(cluster.master.submit({ ...body, params: { n: 3 } })).rejects.toBeInstanceOf(SubmitConflictError);
    expect((await cluster.master.list()).filter((v) => v.instanceId === "a1-lost").length).toBe(1);
  });
});

describe("A2 the OpenAPI document", () => {
  it("A2: /openapi.json passes a standard validator and has every user route Hono serves, with its path parameters", async () => {
    const doc = await (await get("/openapi.json")).json() as { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> }>> };
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    const api = masterApi(cluster.master);
    const served = new Set<string>();
    for (const r of api.routes) {
      if (r.method === "ALL") continue; // middleware
      served.add(`${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    }
    expect(served.size).toBeGreaterThanOrEqual(12);
    for (const route of served) {
      const [method, path] = route.split(" ") as [string, string];
      const op = doc.paths[path]?.[method];
      expect(op, route).toBeDefined();
      // What every route may answer before it runs: no token, another site's page, a foreign Host.
      expect(Object.keys(op!.responses), route).toEqual(expect.arrayContaining(["200", "401", "403", "421"]));
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
        expect(op!.parameters?.some((p) => p.in === "path" && p.name === name), `${route} declares ${name}`).toBe(true);
      }
    }
    expect(Object.keys(doc.paths["/api/instances"]!.post!.responses).sort()).toEqual(["200", "201", "400", "401", "403", "409", "413", "415", "421", "429"]);
    // settings typed both ways: what a submit may say, and what a view shows resolved — every setting the master knows.
    const schemas = (doc as unknown as { components: { schemas: Record<string, { properties: Record<string, { $ref?: string }> }> } }).components.schemas;
    expect(schemas.Submission!.properties.settings!.$ref).toBe("#/components/schemas/JobSettings");
    expect(Object.keys(schemas.JobSettings!.properties).sort()).toEqual(Object.keys(DEFAULT_SETTINGS).sort());
    expect(schemas.InstanceView!.properties.settings!.$ref).toBe("#/components/schemas/ResolvedSettings");
    expect(Object.keys(schemas.ResolvedSettings!.properties).sort()).toEqual(Object.keys(DEFAULT_SETTINGS).sort());
    // The worker protocol is documented under its own tags.
    const report = doc.paths["/workers/report"]!.post as unknown as { tags: string[] };
    expect(report.tags).toEqual(["worker protocol"]);
  });
});

describe("A3 listing instances", () => {
  it("A3: filters by status and processor, newest first, page by page through next; a bad query names its field", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await cluster.master.submit({ processor: "sum", params: { n: 2 }, instanceId: `a3-${i}` }));
    for (const id of ids) await cluster.master.waitFor(id);
    const seen: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/api/instances?processor=sum&status=SUCCESS&limit=2${next === null ? "" : `&before=${encodeURIComponent(next)}`}`);
      expect(res.status).toBe(200);
      const page = InstanceList.parse(await res.json());
      for (const v of page.instances) {
        expect([v.processor, v.status]).toEqual(["sum", "SUCCESS"]);
        seen.push(v.instanceId);
      }
      next = page.next;
      pages++;
    } while (next !== null && pages < 10);
    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBe(3);
    for (const [q, field] of [["status=DONE", "status"], ["limit=0", "limit"], ["before=no-such-instance", "before"]]) {
      const res = await get(`/api/instances?${q}`);
      expect(res.status, q).toBe(400);
      expect((await res.json() as { field: string }).field, q).toBe(field);
    }
  });

  it("A3: an instance's view carries its params, resolved settings and timings", async () => {
    const v = InstanceViewSchema.parse(await (await get("/api/instances/a3-0")).json());
    expect(v.params).toEqual({ n: 2 });
    expect(v.settings.pageSize).toBe(100);
    expect(v.settings.retainTasks).toBe("failed");
    expect(v.startedAt).toBeGreaterThanOrEqual(v.createdAt);
    expect(v.finishedAt).toBeGreaterThanOrEqual(v.startedAt!);
  });
});

describe("A3-A4 through the typed client (hono/client on MasterApi)", () => {
  it("A3/A4: the route types reach hc<MasterApi>: the processors, a filtered page with next, and a view with typed settings", async () => {
    const client = masterClient(cluster.base);
    const procs = await (await client.api.processors.$get()).json();
    expect(procs.processors.map((p) => `${p.name}:${p.kind}`)).toEqual(["gated:map", "leaves:map", "sum:mapReduce"]);
    const listed = await client.api.instances.$get({ query: { processor: "sum", limit: "2" } });
    // The error replies are typed too: the status narrows the body.
    if (listed.status !== 200) throw new Error(`status ${listed.status}`);
    const page = await listed.json();
    expect(page.instances.length).toBe(2);
    expect(typeof page.next).toBe("string");
    const res = await client.api.instances[":id"].$get({ param: { id: page.instances[0]!.instanceId } });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    const v = await res.json();
    const size: number = v.settings.pageSize;
    expect(size).toBe(100);
  });
});

describe("A4 processors", () => {
  it("A4: GET /api/processors lists what the master loaded, by name, with its kind", async () => {
    const res = await get("/api/processors");
    expect(await res.json()).toEqual({ processors: [{ name: "gated", kind: "map" }, { name: "leaves", kind: "map" }, { name: "sum", kind: "mapReduce" }] });
  });
});

type Family = { name: string; type: string; metrics: Array<{ labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string }> };

describe("A5 metrics", () => {
  it("A5: after a job with a failed task and a refused report, /metrics parses as Prometheus text with counters that outlive the instance, histograms, and no instance label", async () => {
    const failed = await cluster.master.submit({ processor: "leaves", params: { n: 20, fail: 7 } });
    expect((await cluster.master.waitFor(failed)).status).toBe("FAILED");
    // A report from a worker that was never handed the task: refused (H15).
    const held = await cluster.master.submit({ processor: "gated" });
    const sender = new HttpTransport("http://127.0.0.1:9");
    const reg = await sender.request(cluster.base, { type: "register", workerId: "intruder", address: "http://127.0.0.1:9", slots: 1, load: { freeSlots: 1, cpuFree: 1, memFree: 1 } }) as { ok: true; incarnation: number; secret: string };
    const rep = await sender.request(cluster.base, {
      type: "report", worker: { workerId: "intruder", incarnation: reg.incarnation, secret: reg.secret }, load: { freeSlots: 1, cpuFree: 1, memFree: 1 },
      reports: reportColumns([{ instanceId: held, serialNum: 1, handle: 0, taskId: "r", attempt: 1, status: "SUCCESS", result: null }]),
    }) as { ok: boolean; refused?: number };
    expect(rep.ok && rep.refused).toBe(1);
    release();
    await cluster.master.waitFor(held);
    expect(cluster.master.running()).not.toContain(failed);
    expect((await get(`/api/instances/${failed}`)).status).toBe(200);

    const res = await get("/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    const families = parsePrometheusTextFormat(text) as Family[];
    const by = new Map(families.map((f) => [f.name, f]));
    const value = (name: string, labels: Record<string, string>) =>
      Number(by.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? NaN);
    expect(by.get("taskmill_tasks_finished_total")?.type).toBe("COUNTER");
    expect(value("taskmill_tasks_finished_total", { processor: "leaves", name: "LEAF", status: "failed" })).toBeGreaterThanOrEqual(1);
    expect(value("taskmill_tasks_finished_total", { processor: "leaves", name: "LEAF", status: "success" })).toBeGreaterThanOrEqual(19);
    expect(value("taskmill_instances_finished_total", { processor: "leaves", status: "FAILED" })).toBeGreaterThanOrEqual(1);
    // ROOT runs at attempt 0 on the master's own worker: the intruder's attempt 1 is the first thing wrong.
    expect(value("taskmill_reports_refused_total", { reason: "wrong_attempt" })).toBe(1);
    for (const h of ["taskmill_store_write_duration_seconds", "taskmill_http_request_duration_seconds", "taskmill_task_run_seconds", "taskmill_task_dispatch_wait_seconds"]) {
      expect(by.get(h)?.type, h).toBe("HISTOGRAM");
    }
    expect(Number(/^taskmill_task_run_seconds_count\{processor="leaves"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(21);
    expect(Number(/^taskmill_store_write_duration_seconds_count (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    // The parser keeps no labels of histogram series: the route labels are read from the text.
    const routes = [...text.matchAll(/^taskmill_http_request_duration_seconds_count\{[^}]*route="([^"]*)"/gm)].map((m) => m[1]!);
    expect(routes).toContain("/api/instances/:id");
    expect(routes.some((r) => r.includes("a3-0"))).toBe(false);
    for (const g of ["taskmill_instances_running", "taskmill_workers", "taskmill_tasks_queued"]) expect(by.get(g)?.type, g).toBe("GAUGE");
    for (const f of families) for (const m of f.metrics) expect(Object.keys(m.labels ?? {}), f.name).not.toContain("instance");
    expect(text).not.toMatch(/[{,]instance="/);
  });

  it("A5: the Node adapter's process metrics follow the master's in the same text, and it still parses", async () => {
    const api = masterApi(cluster.master, { extraMetrics: processMetrics() });
    const text = await (await api.request("/metrics")).text();
    const names = (parsePrometheusTextFormat(text) as Family[]).map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(["taskmill_instances_running", "process_cpu_user_seconds_total", "process_resident_memory_bytes", "nodejs_eventloop_lag_seconds"]));
  });
});
