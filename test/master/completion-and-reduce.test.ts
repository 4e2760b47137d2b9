// How an instance ends (B12, B16): FAILED with the counts when a task failed, reduce
// (or a Map's postProcess) once on the master's own worker, and its result as the instance's.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares, sumOfSquares, Gate, gated } from "./processors.ts";
import { startGated } from "./start-gated.ts";
import { defineMap, defineMapReduce } from "../../src/index.ts";

describe("B12 completion", () => {
  it("B12: any failed task → FAILED with the counts", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 1 }).start();
    const { id } = await startGated(c, 5);
    gate.release("r.0.2", false, "bad input");
    gate.open();
    const v = await c.finish(id);
    expect(v.status).toBe("FAILED");
    expect(v.result).toBe("1 of 6 tasks failed");
    expect(v.progress!.names.CHILD).toEqual({ total: 5, init: 0, pulled: 0, running: 0, success: 4, failed: 1 });
    c.close();
  });
});

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

  it("B16: after a failed task, reduce runs only with runReduceIfFail, and its result is the instance's (FAILED, the value kept)", async () => {
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
    expect([b.status, b.result, reduced]).toEqual(["FAILED", "reduced", 1]);
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

