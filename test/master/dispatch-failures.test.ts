// What a failed send does to its batch (B9): back to INIT, failed, or failed with the
// worker's reason — and a send that fails late does not pull tasks back from where they run now.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares, sumOfSquares, Gate, gated } from "./processors.ts";
import { recordRequests } from "./recording.ts";
import { perWorker } from "./per-worker.ts";
import { defineMap } from "../../src/index.ts";
import { tasksOf } from "../../src/protocol/columns.ts";

describe("B9 dispatch outcome", () => {
  it("B9: a network error sends the batch back to INIT (failover on) and marks the worker invalid", async () => {
    const c = await new Cluster({ processors: { sumSquares }, workers: 2 }).start();
    c.network.fault(c.workers[1]!.address, "refused");
    const v = await c.run("sumSquares", { n: 200, ranges: 2 }, { execOnMaster: false });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sumOfSquares(200), count: 200 });
    expect(perWorker(v.progress!).w2 ?? 0).toBe(0);
    c.close();
  });

  it("B9: a 5xx or timeout with failover off fails the batch's tasks", async () => {
    const c = await new Cluster({ processors: { sumSquares }, workers: 2 }).start();
    c.network.fault(c.workers[1]!.address, "server");
    const v = await c.run("sumSquares", { n: 40, ranges: 2 }, { execOnMaster: false, failover: false, pageSize: 5 });
    expect(v.status).toBe("FAILED");
    expect(v.progress!.names.NUM!.failed + v.progress!.names.RANGE!.failed).toBeGreaterThan(0);
    expect(v.progress!.names.NUM!.success + v.progress!.names.NUM!.failed).toBe(v.progress!.names.NUM!.total);
    c.close();
  });

  it("B9: a definite rejection (4xx) from a live worker fails the tasks with the reason", async () => {
    const ok = defineMap({ async process(ctx) { if (ctx.isRoot) await ctx.map([1, 2, 3], "X"); return { ok: true }; } });
    const c = new Cluster({ processors: { ok }, workers: 0 });
    // A worker that does not have the processor rejects the batch.
    const other = c.addWorker("w1");
    Object.defineProperty(other, "processors", { value: {} });
    await c.start();
    const alien = new (await import("../../src/worker/index.ts")).Worker({ workerId: "alien", address: "alien-addr", transport: c.network, clock: c.clock, processors: {} });
    await alien.join("master");
    const v = await c.run("ok", null, { execOnMaster: false, targetWorkers: ["alien"] });
    expect(v.status).toBe("FAILED");
    expect(v.progress!.names.X!.failed).toBe(3);
    c.close();
    alien.close();
  });
});

describe("B9 late failures", () => {
  it("B9: a send that fails after its worker was declared dead does not pull the tasks back from where they run now", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2, requestTimeoutMs: 10_000 }).start();
    const hung = c.workers[0]!;
    c.network.fault(hung.address, "hang"); // accepts nothing and never answers: the start request hangs
    hung.close();
    const rec = recordRequests(c.network, c.workers);
    const id = await c.master.submit({ processor: "job", params: { n: 4 }, settings: { execOnMaster: false, pageSize: 1, livenessTimeoutMs: 3000, heartbeatMs: 250 } });
    await c.clock.advance(1);
    const toHung = rec.ofType("start").filter((s) => s.to === hung.address).flatMap((s) => tasksOf(s.msg.tasks).map((t) => t.taskId));
    expect(toHung.length).toBeGreaterThan(0);
    // Declared dead after the liveness timeout (it holds tasks and is silent): its tasks run on w2.
    await c.clock.advance(4000);
    // Now the hung request times out, long after.
    await c.clock.advance(7000);
    const live = (await c.master.tasks(id, { limit: 100 }))!.tasks;
    for (const taskId of toHung) {
      const task = live.find((x) => x.taskId === taskId)!;
      expect(task.worker).toMatch(/^w2#/);
      expect(task.attempt).toBe(1);
      expect((await c.store.getTask(id, taskId))!.attempt).toBe(1); // its failover was written (B15)
    }
    gate.open();
    const v = await c.finish(id);
    expect(v.progress!.names.CHILD).toEqual({ total: 4, init: 0, pulled: 0, running: 0, success: 4, failed: 0 });
    c.close();
  });
});
