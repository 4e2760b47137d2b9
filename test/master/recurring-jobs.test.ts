// Recurring jobs (B20): cycles with `every` up to maxCycles, each with a new serialNum
// and clean counters; old cycles' reports ignored; a kill between cycles ends the job.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares, Gate, gated } from "./processors.ts";
import { recordRequests } from "./recording.ts";
import { refOf } from "./identities.ts";
import { defineMapReduce } from "../../src/index.ts";
import { reportColumns, tasksOf } from "../../src/protocol/columns.ts";

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
    const rec = recordRequests(c.network, c.workers);
    const id = await c.master.submit({ processor: "job", params: { n: 2 }, settings: { every: "5s", maxCycles: 2, execOnMaster: false } });
    await c.clock.advance(1);
    const first = rec.ofType("start").flatMap((s) => tasksOf(s.msg.tasks).filter((t) => t.name === "CHILD"));
    gate.releaseAll();
    await c.clock.until(() => c.master.progress(id)?.serialNum === 2 && gate.waiting.length === 2);
    const inc = Number(Object.keys(c.master.progress(id)!.workers).find((k) => k.startsWith("w1"))?.split("#")[1] ?? 0);
    const r = await c.network.request("master", {
      type: "report", worker: { ...refOf(rec, "w1")!, incarnation: inc || 1 }, load: { freeSlots: 1, cpuFree: null, memFree: null },
      reports: reportColumns(first.map((t) => ({ instanceId: id, serialNum: 1, handle: t.handle, taskId: t.taskId, attempt: 0, status: "FAILED" as const }))),
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
