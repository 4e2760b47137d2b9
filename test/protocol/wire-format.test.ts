// The wire format of the hot messages (W1-W3): tasks and reports as columns, what the
// master and a worker really send, and malformed column messages refused naming the field.
import { describe, it, expect, afterEach } from "vitest";
import { ManualClock } from "../../src/runtime/clock.ts";
import { InProcessNetwork } from "../../src/protocol/in-process.ts";
import { Worker } from "../../src/worker/index.ts";
import { defineMap } from "../../src/index.ts";
import { parseMessage } from "../../src/protocol/validate.ts";
import { checkReply } from "../../src/protocol/reply-check.ts";
import { TransportError } from "../../src/protocol/transport.ts";
import { reportColumns, reportsOf, taskColumns, tasksOf } from "../../src/protocol/columns.ts";
import { masterEndpointApp } from "../../src/http/endpoint-app.ts";
import type { ReportBatch, TaskReport } from "../../src/protocol/messages.ts";
import { Cluster } from "../master/harness.ts";
import { sumSquares } from "../master/processors.ts";
import { recordRequests } from "../master/recording.ts";
import { fakeMaster, tasks } from "../worker/fake-master.ts";

const closers: Array<() => void> = [];
afterEach(() => { for (const c of closers.splice(0)) c(); });

const worker = { workerId: "w1", incarnation: 1, secret: "0123456789abcdef0123456789abcdef" };
const load = { freeSlots: 1, cpuFree: null, memFree: null };
const base = { instanceId: "i1", serialNum: 1, handle: 3, taskId: "t-3", attempt: 0 };

describe("W wire format", () => {
  it("W1: a start batch from a master names each task name once and carries one column per field, all as long as handles", async () => {
    const c = await new Cluster({ processors: { sumSquares }, workers: 2 }).start();
    closers.push(() => c.close());
    const rec = recordRequests(c.network, c.workers);
    const id = await c.master.submit({ processor: "sumSquares", params: { n: 40, ranges: 2 }, settings: { pageSize: 8, execOnMaster: false } });
    expect((await c.finish(id)).status).toBe("SUCCESS");
    const starts = rec.ofType("start").map((s) => s.msg.tasks).filter((t) => t.names.includes("NUM"));
    expect(starts.length).toBeGreaterThan(1);
    let n = 0;
    for (const t of starts) {
      expect(new Set(t.names).size).toBe(t.names.length);
      for (const col of [t.taskIds, t.nameIdx, t.bodies, t.attempts]) expect(col.length).toBe(t.handles.length);
      for (const k of t.nameIdx) expect(k).toBeLessThan(t.names.length);
      n += t.nameIdx.filter((k) => t.names[k] === "NUM").length;
    }
    expect(n).toBe(40);
  });

  it("W1: tasks read back from columns are the tasks put in, names interned", () => {
    const list = [
      { handle: 1, taskId: "a", name: "X", body: { k: [1] }, attempt: 0 },
      { handle: 2, taskId: "b", name: "Y", body: null, attempt: 2 },
      { handle: 3, taskId: "c", name: "X", body: "ü", attempt: 1 },
    ];
    const c = taskColumns(list);
    expect(c.names).toEqual(["X", "Y"]);
    expect(c.nameIdx).toEqual([0, 1, 0]);
    expect(tasksOf(JSON.parse(JSON.stringify(c)))).toEqual(list);
  });

  it("W2: a worker's report batch holds one column group per instance cycle, statuses as codes 3/4/5, errors apart", async () => {
    const clock = new ManualClock(1000);
    const net = new InProcessNetwork(clock);
    const master = fakeMaster(net);
    const p = defineMap({ async process(ctx) { return ctx.body === 1 ? { ok: false, result: "no" } : { ok: true, result: ctx.body }; } });
    const w = new Worker({ workerId: "w1", address: "w1", transport: net, clock, processors: { p }, heartbeatMs: 1000 });
    closers.push(() => w.close(), master.stop);
    await w.join(master.address);
    await net.request("w1", master.start("w1", "i1", tasks(3)));
    await net.request("w1", master.start("w1", "i2", tasks(2, "u")));
    await clock.until(() => master.finals.size === 5);
    const groups = master.got.filter((m): m is ReportBatch => m.type === "report").flatMap((m) => m.reports);
    for (const g of groups) {
      for (const col of [g.taskIds, g.attempts, g.statuses, g.results, g.runMs]) expect(col.length).toBe(g.handles.length);
      for (const s of g.statuses) expect([3, 4, 5]).toContain(s);
    }
    const i1 = groups.filter((g) => g.instanceId === "i1").flatMap(reportsOf).filter((r) => r.status !== "RUNNING");
    expect(i1.map((r) => [r.taskId, r.status, r.result])).toEqual([["t-0", "SUCCESS", 0], ["t-1", "FAILED", "no"], ["t-2", "SUCCESS", 2]]);
    // One instance per group: i1 ran tasks "t-…", i2 tasks "u-…".
    expect(groups.every((g) => new Set(g.taskIds.map((t) => t[0])).size === 1)).toBe(true);
  });

  it("W2: reports read back from their columns are the reports put in, a null result the same as none", () => {
    const list: TaskReport[] = [
      { ...base, status: "SUCCESS", result: { x: 1 }, runMs: 4, traceId: "tr" },
      { ...base, handle: 4, taskId: "t-4", status: "RUNNING" },
      { ...base, instanceId: "i2", handle: 5, taskId: "t-5", attempt: 1, status: "FAILED", result: "boom", error: { message: "boom", stack: "at x" } },
    ];
    const groups = reportColumns(list);
    expect(groups.map((g) => g.instanceId)).toEqual(["i1", "i2"]);
    expect(groups[0]!.statuses).toEqual([4, 3]);
    expect(groups[1]!.errors).toEqual([[0, { message: "boom", stack: "at x" }]]);
    expect(groups[0]!.traceIds).toEqual([[0, "tr"]]);
    expect(JSON.parse(JSON.stringify(groups)).flatMap(reportsOf)).toEqual(list);
  });

  it("W3: a malformed report batch is refused with bad_request naming the column, the item or the pair", () => {
    const good = reportColumns([{ ...base, status: "SUCCESS", result: 1 }, { ...base, handle: 4, taskId: "t-4", status: "FAILED", error: { message: "x" } }])[0]!;
    const msg = (g: object) => ({ type: "report", worker, load, reports: [g] });
    expect(parseMessage("master", msg(good)).ok).toBe(true);
    const cases: Array<[object, string]> = [
      [{ ...good, taskIds: ["t-3"] }, "reports.0.taskIds"],
      [{ ...good, results: [1, null, 2] }, "reports.0.results"],
      [{ ...good, statuses: [4, 2] }, "reports.0.statuses.1"],
      [{ ...good, attempts: [0, -1] }, "reports.0.attempts.1"],
      [{ ...good, runMs: [null, 2 ** 32] }, "reports.0.runMs.1"],
      [{ ...good, errors: [[2, { message: "x" }]] }, "reports.0.errors.0.0"],
      [{ ...good, errors: [[1, { message: 5 }]] }, "reports.0.errors.0.1.message"],
      [{ ...good, traceIds: [[0, "x".repeat(257)]] }, "reports.0.traceIds.0.1"],
      [{ ...good, handles: undefined }, "reports.0.handles"],
    ];
    for (const [g, field] of cases) expect(parseMessage("master", msg(g)), field).toMatchObject({ ok: false, code: "bad_request", field });
  });

  it("W3: a malformed start batch is refused naming the column, and a malformed pull reply is a server error naming it", () => {
    const good = taskColumns(tasks(2));
    const start = (t: object) => ({ type: "start", master: "m", credential: "fedcba9876543210fedcba9876543210", worker: { workerId: "w1", incarnation: 1 },
      instance: { instanceId: "i1", serialNum: 1, processor: "p", consumerSize: 1 }, tasks: t });
    expect(parseMessage("worker", start(good)).ok).toBe(true);
    for (const [t, field] of [
      [{ ...good, nameIdx: [0, 1] }, "tasks.nameIdx.1"],
      [{ ...good, bodies: [1] }, "tasks.bodies"],
      [{ ...good, names: [""] }, "tasks.names.0"],
      [{ ...good, handles: [0, 1.5] }, "tasks.handles.1"],
    ] as const) {
      expect(parseMessage("worker", start(t)), field).toMatchObject({ ok: false, code: "bad_request", field });
      expect(() => checkReply("pull", { ok: true, tasks: t }, "m")).toThrow(TransportError);
      expect(() => checkReply("pull", { ok: true, tasks: t }, "m")).toThrow(`malformed reply to pull: ${field}: `);
    }
  });

  it("W3: over HTTP a malformed column report gets 400 naming the field, and the master's handler never runs", async () => {
    let calls = 0;
    const app = masterEndpointApp(async () => { calls++; return { ok: true, applied: 0, refused: 0 }; });
    const good = reportColumns([{ ...base, status: "SUCCESS", result: 1 }])[0]!;
    const post = (g: object) => app.request("/workers/report", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ type: "report", worker, load, reports: [g] }) });
    const bad = await post({ ...good, statuses: ["SUCCESS"] });
    expect(bad.status).toBe(400);
    const short = await post({ ...good, taskIds: [] });
    expect(short.status).toBe(400);
    const body = await short.json() as { error: string; field: string };
    expect(body.field).toBe("reports.0.taskIds");
    expect(body.error).toMatch(/^reports\.0\.taskIds: Expected 1 items/);
    expect(calls).toBe(0);
    expect((await post(good)).status).toBe(200);
    expect(calls).toBe(1);
  });
});
