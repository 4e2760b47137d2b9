// Submit and map (B1, B2): ROOT is stored, counted and run on the master's own worker;
// map stores each batch of children once, counts it, hints at backpressure and never drops a task.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares, sumOfSquares, Gate, gated } from "./processors.ts";
import { recordRequests, instrumentStore } from "./recording.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { defineMap, defineMapReduce } from "../../src/index.ts";
import { tasksOf } from "../../src/protocol/columns.ts";

describe("B1 submit", () => {
  it("B1: ROOT is stored and counted (total 1) and runs on the master's own worker", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate, { rootWaits: true }) } }).start();
    const rec = recordRequests(c.network, c.workers);
    const id = await c.master.submit({ processor: "job", params: { n: 0 } });
    await c.clock.advance(1);
    const p = c.master.progress(id)!;
    expect(p.names.ROOT).toEqual({ total: 1, init: 0, pulled: 0, running: 1, success: 0, failed: 0 });
    const root = rec.ofType("start");
    expect(root).toHaveLength(1);
    expect(root[0]!.to).toBe("master/worker");
    expect(tasksOf(root[0]!.msg.tasks)[0]!.name).toBe("ROOT");
    expect((await c.store.getTask(id, "r"))?.name).toBe("ROOT");
    gate.releaseAll();
    expect((await c.finish(id)).status).toBe("SUCCESS");
    c.close();
  });

  it("B1: in pull mode too, ROOT runs on the master's own worker", async () => {
    const c = await new Cluster({ processors: { sumSquares } }).start();
    const rec = recordRequests(c.network, c.workers);
    const v = await c.run("sumSquares", { n: 50, ranges: 5 }, { dispatchMode: "pull" });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sumOfSquares(50), count: 50 });
    const starts = rec.ofType("start");
    expect(starts).toHaveLength(1);
    expect(tasksOf(starts[0]!.msg.tasks).map((t) => t.name)).toEqual(["ROOT"]);
    expect(rec.ofType("pull").length).toBeGreaterThan(0);
    c.close();
  });

  it("B1: a failure while starting fails the instance with the error's message", async () => {
    const s = instrumentStore(new MemoryStore());
    s.failing.set("insertTasks", 3);
    const c = await new Cluster({ processors: { sumSquares }, store: s.store }).start();
    const v = await c.run("sumSquares", { n: 10, ranges: 2 });
    expect(v.status).toBe("FAILED");
    expect(v.result).toMatch(/injected insertTasks failure/);
    c.close();
  });

  it("B1: a failed root task's result becomes the instance's result", async () => {
    const failing = defineMap({ process: (ctx) => ({ ok: !ctx.isRoot, result: ctx.isRoot ? "root says no" : 1 }) });
    const c = await new Cluster({ processors: { failing } }).start();
    const v = await c.run("failing");
    expect(v.status).toBe("FAILED");
    expect(v.result).toBe("root says no");
    c.close();
  });
});

describe("B2 map", () => {
  it("B2: map adds n to the name's total and stores the batch as INIT in one write", async () => {
    const gate = new Gate();
    const s = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { job: gated(gate) }, store: s.store, workers: 0 }).start();
    const id = await c.master.submit({ processor: "job", params: { n: 250 }, settings: { execOnMaster: true } });
    await c.clock.advance(1);
    expect(s.calls.get("insertTasks")).toBe(2); // ROOT, then the 250 children in one write
    expect(c.master.progress(id)!.names.CHILD!.total).toBe(250);
    gate.open();
    const v = await c.finish(id);
    expect(v.progress!.names.CHILD!.success).toBe(250);
    c.close();
  });

  it("B2: a parent that runs again never duplicates its children", async () => {
    // RANGE tasks map then fail the first time; failover re-runs them; children are stored once.
    let firstRuns = 0;
    const p = defineMapReduce({
      async process(ctx) {
        if (ctx.isRoot) { await ctx.map([0, 1, 2], "RANGE"); return { ok: true }; }
        if (ctx.taskName === "RANGE") {
          await ctx.map([10, 20, 30].map((x) => x + (ctx.body as number)), "LEAF");
          if (ctx.attempt === 0) { firstRuns++; throw new Error("crash after mapping"); }
          return { ok: true };
        }
        return { ok: true, result: ctx.body };
      },
      async reduce(ctx) {
        const seen: number[] = [];
        for await (const r of ctx.results) if (r.name === "LEAF") seen.push(r.result as number);
        return { ok: true, result: seen.sort((a, b) => a - b) };
      },
    });
    const c = await new Cluster({ processors: { p } }).start();
    const id = await c.master.submit({ processor: "p" });
    const v = await c.finish(id);
    expect(firstRuns).toBe(3);
    // The RANGE tasks failed (a thrown error is a failure, not a failover), but their children were stored once.
    expect(v.progress!.names.LEAF!.total).toBe(9);
    expect(v.status).toBe("FAILED");
    c.close();
  });

  it("B2: the hint asks processors to slow down when the queue is 80% full", async () => {
    const hints: boolean[] = [];
    const p = defineMap({
      async process(ctx) {
        if (ctx.isRoot) {
          hints.push(await ctx.map(Array.from({ length: 5 }, (_, i) => i), "A"));
          hints.push(await ctx.map(Array.from({ length: 4 }, (_, i) => i), "B"));
        }
        return { ok: true };
      },
    });
    const c = await new Cluster({ processors: { p }, workers: 0 }).start();
    // A slow dispatch keeps the first batch queued while the root maps the second.
    const v = await c.run("p", null, { queueSize: 10, dispatchSpeed: "1/s" });
    expect(v.status).toBe("SUCCESS");
    expect(hints).toEqual([false, true]);
    c.close();
  });

  it("B2: a map waits until the queue has room for a batch its size, so the parent's next batch goes to memory, not to the store's backlog", async () => {
    // ROOT maps 20 batches of 10, one after another, into a queue of 20: each waits until 10 slots are free
    // (half the queue at most). Released at the first free slot, the next batch would find room for about
    // one task, and the rest would be stored unqueued and claimed back (B10).
    // Leaves take 1-7 ms of the cluster's clock each, so room comes back a task or two at a time.
    let clock!: Cluster["clock"];
    const batches = defineMapReduce<null, number>({
      async process(ctx) {
        if (ctx.isRoot) {
          for (let b = 0; b < 20; b++) await ctx.map(Array.from({ length: 10 }, (_, i) => b * 10 + i), "LEAF");
          return { ok: true };
        }
        await new Promise<void>((r) => clock.setTimeout(r, (ctx.body % 7) + 1));
        return { ok: true, result: ctx.body };
      },
      async reduce(ctx) {
        let sum = 0;
        for await (const r of ctx.results) if (r.name === "LEAF" && r.status === "SUCCESS") sum += r.result as number;
        return { ok: true, result: sum };
      },
    });
    const { store, calls } = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { batches }, store }).start();
    clock = c.clock;
    const v = await c.run("batches", null, { queueSize: 20, pageSize: 3, dispatchMode: "pull" });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toBe((199 * 200) / 2);
    expect(calls.get("claimInit") ?? 0).toBe(0);
    c.close();
  });

  it("B2: a full queue makes map wait; it never drops a task", async () => {
    const c = await new Cluster({ processors: { sumSquares } }).start();
    const v = await c.run("sumSquares", { n: 2000, ranges: 4 }, { queueSize: 5, pageSize: 3 });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sumOfSquares(2000), count: 2000 });
    c.close();
  });
});

