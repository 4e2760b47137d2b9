import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares, sumOfSquares, Gate, gated } from "./processors.ts";
import { recordRequests } from "./recording.ts";
import { defineMap, defineMapReduce, ValidationError, UnknownProcessorError } from "../../src/index.ts";

describe("B16 reduce", () => {
  it("B16: reduce runs on the master's own worker, counted as one REDUCE task; its result is the instance's", async () => {
    const c = await new Cluster({ processors: { sumSquares } }).start();
    const v = await c.run("sumSquares", { n: 64, ranges: 4 });
    expect(v.result).toEqual({ sum: sumOfSquares(64), count: 64 });
    expect(v.progress!.names.REDUCE).toEqual({ total: 1, init: 0, pulled: 0, running: 0, success: 1, failed: 0 });
    c.close();
  });

  it("B16: a reduce that throws or returns ok: false fails the instance with its message", async () => {
    const throws = defineMapReduce({ process: () => ({ ok: true }), reduce: () => { throw new Error("reduce blew up"); } });
    const says = defineMapReduce({ process: () => ({ ok: true }), reduce: () => ({ ok: false, result: "not today" }) });
    const c = await new Cluster({ processors: { throws, says } }).start();
    const a = await c.run("throws");
    expect([a.status, a.result]).toEqual(["FAILED", "reduce blew up"]);
    expect(a.progress!.names.REDUCE!.failed).toBe(1);
    const b = await c.run("says");
    expect([b.status, b.result]).toEqual(["FAILED", "not today"]);
    c.close();
  });

  it("B16: after a failed task, reduce runs only with runReduceIfFail", async () => {
    let reduced = 0;
    const make = (runReduceIfFail: boolean) => defineMapReduce({
      async process(ctx) { if (ctx.isRoot) await ctx.map([1, 2], "X"); return { ok: ctx.body !== 2 }; },
      reduce: () => { reduced++; return { ok: true, result: "reduced" }; },
      runReduceIfFail,
    });
    const c = await new Cluster({ processors: { skip: make(false), run: make(true) } }).start();
    const a = await c.run("skip");
    expect([a.status, reduced]).toEqual(["FAILED", 0]);
    const b = await c.run("run");
    expect([b.status, b.result, reduced]).toEqual(["FAILED", "1 of 3 tasks failed", 1]);
    c.close();
  });

  it("B16: a plain Map processor's postProcess is called once when all tasks end", async () => {
    const calls: string[] = [];
    const p = defineMap({
      async process(ctx) { if (ctx.isRoot) await ctx.map([1, 2, 3], "X"); return { ok: true, result: ctx.isRoot ? "root result" : 1 }; },
      async postProcess(ctx) {
        let n = 0;
        for await (const r of ctx.results) if (r.name === "X") n++;
        calls.push(`${ctx.status}:${n}`);
      },
    });
    const c = await new Cluster({ processors: { p } }).start();
    const v = await c.run("p");
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toBe("root result");
    expect(calls).toEqual(["SUCCESS:3"]);
    c.close();
  });
});

describe("B17 kill", () => {
  it("B17: killing an instance aborts running tasks; every unfinished task FAILED, instance FAILED with the reason", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate, { reduce: true }) }, workers: 2 }).start();
    const id = await c.master.submit({ processor: "job", params: { n: 40 }, settings: { consumerSize: 2, execOnMaster: false } });
    await c.clock.advance(1);
    gate.release("r.0.0");
    await c.clock.advance(1);
    const running = gate.started.filter((s) => s.taskName === "CHILD" && s.taskId !== "r.0.0");
    expect(await c.master.kill(id, "operator said so")).toBe(true);
    const v = await c.finish(id);
    expect(v.status).toBe("FAILED");
    expect(v.result).toBe("killed: operator said so");
    expect(v.progress!.names.CHILD).toEqual({ total: 40, init: 0, pulled: 0, running: 0, success: 1, failed: 39 });
    expect(v.progress!.names.REDUCE).toBeUndefined(); // no reduce after a kill
    expect(running.length).toBeGreaterThan(0);
    expect(running.every((ctx) => ctx.signal.aborted)).toBe(true);
    c.close();
  });

  it("B17: killing one task aborts it on its worker; it fails, the rest go on", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 1 }).start();
    const id = await c.master.submit({ processor: "job", params: { n: 3 } });
    await c.clock.advance(1);
    expect(await c.master.killTask(id, "r.0.1")).toBe(true);
    await c.clock.advance(1);
    expect(gate.started.find((s) => s.taskId === "r.0.1")!.signal.aborted).toBe(true);
    gate.open();
    const v = await c.finish(id);
    expect(v.progress!.names.CHILD).toMatchObject({ success: 2, failed: 1 });
    expect(await c.master.killTask(id, "r.0.0")).toBe(false); // finished instance
    c.close();
  });
});

describe("B18 cleanup", () => {
  it("B18: when done, worker pools are destroyed and the tasks cleared; the record and final counters stay", async () => {
    const c = await new Cluster({ processors: { sumSquares }, workers: 2 }).start();
    const rec = recordRequests(c.network);
    const v = await c.run("sumSquares", { n: 20, ranges: 2 });
    const destroyed = new Set(rec.ofType("destroyPool").map((d) => d.to));
    expect(destroyed).toEqual(new Set(["master/worker", ...c.workers.map((w) => w.address)]));
    for (const w of c.workers) expect(w.instances).toEqual([]);
    expect(await c.store.getTask(v.instanceId, "r")).toBeNull();
    const r = await c.store.getInstance(v.instanceId);
    expect(r!.status).toBe("SUCCESS");
    expect(r!.progress!.names.NUM!.success).toBe(20);
    c.close();
  });
});

describe("B19 processor check and bad input", () => {
  it("B19: an unknown processor, or one that is neither Map nor MapReduce, is refused at submit; nothing is created", async () => {
    const c = await new Cluster({ processors: { sumSquares } }).start();
    await expect(c.master.submit({ processor: "nope" })).rejects.toThrow(UnknownProcessorError);
    await expect(c.master.submit({ processor: "nope" })).rejects.toThrow("processor: Expected a loaded processor (sumSquares), got \"nope\"");
    expect(() => new Cluster({ processors: { bad: { reduce: () => ({ ok: true }) } as never } })).toThrow(/processors.bad: Expected an object with process/);
    expect(await c.master.list()).toEqual([]);
    c.close();
  });

  it("bad settings name the field and what was expected; nothing is created", async () => {
    const c = await new Cluster({ processors: { sumSquares } }).start();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ pageSize: 0 }, /^pageSize: Expected an integer from 1 to 100000, got 0$/],
      [{ queueSize: -5 }, /^queueSize: Expected an integer/],
      [{ consumerSize: 1.5 }, /^consumerSize: Expected an integer/],
      [{ dispatchers: 201 }, /^dispatchers: Expected an integer from 1 to 200, got 201$/],
      [{ dispatchSpeed: "fast" }, /^dispatchSpeed: Expected a positive rate like "200\/s"/],
      [{ dispatchMode: "shove" }, /^dispatchMode: Expected one of "push", "pull", got "shove"$/],
      [{ route: "random" }, /^route: Expected one of "round-robin", "worker-load"/],
      [{ failover: "yes" }, /^failover: Expected true or false, got "yes"$/],
      [{ every: "often" }, /^every: Expected a positive duration/],
      [{ pagesize: 10 }, /^pagesize: Expected a known setting/],
      [{ targetWorkers: [] }, /^targetWorkers: Expected a non-empty array of worker ids/],
    ];
    for (const [settings, msg] of cases) {
      const e = await c.master.submit({ processor: "sumSquares", settings: settings as never }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as Error).message).toMatch(msg);
    }
    expect(await c.master.list()).toEqual([]);
    c.close();
  });
});

describe("B20 recurring jobs", () => {
  it("B20: with every, each cycle gets a new serialNum and clean counters, until maxCycles", async () => {
    const seen: number[] = [];
    const p = defineMapReduce({
      async process(ctx) { if (ctx.isRoot) { seen.push(ctx.serialNum); await ctx.map([1, 2, 3], "X"); } return { ok: true, result: ctx.serialNum }; },
      async reduce(ctx) { let n = 0; for await (const r of ctx.results) if (r.name === "X") n++; return { ok: true, result: { cycle: ctx.serialNum, n } }; },
    });
    const c = await new Cluster({ processors: { p } }).start();
    const start = c.clock.now();
    const id = await c.master.submit({ processor: "p", settings: { every: "10s", maxCycles: 3 } });
    const v = await c.finish(id);
    expect(seen).toEqual([1, 2, 3]);
    expect(v.status).toBe("SUCCESS");
    expect(v.serialNum).toBe(3);
    expect(v.result).toEqual({ cycle: 3, n: 3 }); // clean counters: 3 X tasks per cycle, not 9
    expect(v.progress!.names.X!.total).toBe(3);
    expect(c.clock.now() - start).toBeGreaterThanOrEqual(20_000);
    c.close();
  });

  it("B20: reports carrying an old serialNum are ignored", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 1 }).start();
    const rec = recordRequests(c.network);
    const id = await c.master.submit({ processor: "job", params: { n: 2 }, settings: { every: "5s", maxCycles: 2, execOnMaster: false } });
    await c.clock.advance(1);
    const first = rec.ofType("start").flatMap((s) => s.msg.tasks.filter((t) => t.name === "CHILD"));
    gate.releaseAll();
    await c.clock.until(() => c.master.progress(id)?.serialNum === 2 && gate.waiting.length === 2);
    const inc = Number(Object.keys(c.master.progress(id)!.workers).find((k) => k.startsWith("w1"))?.split("#")[1] ?? 0);
    const r = await c.network.request("master", {
      type: "report", worker: { workerId: "w1", incarnation: inc || 1 }, load: { freeSlots: 1, cpuFree: null, memFree: null },
      reports: first.map((t) => ({ instanceId: id, serialNum: 1, handle: t.handle, taskId: t.taskId, attempt: 0, status: "FAILED" as const })),
    });
    expect(r).toMatchObject({ ok: true, applied: 0, refused: 2 });
    expect(c.master.progress(id)!.names.CHILD).toMatchObject({ total: 2, failed: 0 });
    gate.open();
    const v = await c.finish(id);
    expect(v.status).toBe("SUCCESS");
    c.close();
  });

  it("B20: killing a recurring job between cycles ends it", async () => {
    const c = await new Cluster({ processors: { sumSquares } }).start();
    const id = await c.master.submit({ processor: "sumSquares", params: { n: 5, ranges: 1 }, settings: { every: "1m" } });
    await c.clock.advance(1000);
    expect((await c.master.get(id))!.status).toBe("RUNNING");
    await c.master.kill(id, "enough");
    const v = await c.master.get(id);
    expect([v!.status, v!.result]).toEqual(["FAILED", "killed: enough"]);
    c.close();
  });
});
