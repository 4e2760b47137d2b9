import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares, sumOfSquares, Gate, gated } from "./processors.ts";
import { recordRequests, instrumentStore } from "./recording.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { defineMap } from "../../src/index.ts";

/** Sub-task counts per worker id (from the per-worker counters). */
function perWorker(progress: { workers: Record<string, { total: number }> }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, w] of Object.entries(progress.workers)) out[key.split("#")[0]!] = (out[key.split("#")[0]!] ?? 0) + w.total;
  return out;
}

describe("B5 round-robin routing", () => {
  it("B5: sub-tasks rotate evenly over the workers; the master's own worker is skipped when execOnMaster is off", async () => {
    const c = await new Cluster({ processors: { sumSquares }, workers: 3 }).start();
    const v = await c.run("sumSquares", { n: 300, ranges: 3 }, { execOnMaster: false, pageSize: 10 });
    expect(v.status).toBe("SUCCESS");
    const counts = perWorker(v.progress!);
    expect(counts["master-own"]).toBe(2); // ROOT and REDUCE only
    const subs = [counts.w1!, counts.w2!, counts.w3!];
    expect(subs.reduce((a, b) => a + b)).toBe(303);
    expect(Math.max(...subs) - Math.min(...subs)).toBeLessThanOrEqual(10);
    c.close();
  });

  it("B5: with execOnMaster on, the master's own worker takes sub-tasks too", async () => {
    const c = await new Cluster({ processors: { sumSquares }, workers: 1 }).start();
    const v = await c.run("sumSquares", { n: 100, ranges: 2 }, { execOnMaster: true, pageSize: 5 });
    expect(perWorker(v.progress!)["master-own"]).toBeGreaterThan(10);
    c.close();
  });

  it("B5: no valid worker for workerWaitMs → FAILED \"all workers are down\"", async () => {
    const gate = new Gate();
    gate.open();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 1 }).start();
    c.network.fault(c.workers[0]!.address, "refused");
    const id = await c.master.submit({ processor: "job", params: { n: 3 }, settings: { execOnMaster: false, workerWaitMs: 4000 } });
    // The only sub-task worker refuses connections: it is marked invalid (B9); the master's own worker
    // is then the only valid one and takes the tasks — unless it too is excluded:
    const v = await c.finish(id);
    expect(v.status).toBe("SUCCESS");
    c.close();

    const c2 = await new Cluster({ processors: { job: gated(gate) }, workers: 1 }).start();
    // The only worker the job may use is gone (refuses connections, sends no heartbeats).
    c2.network.fault(c2.workers[0]!.address, "refused");
    c2.workers[0]!.close();
    const start = c2.clock.now();
    const id2 = await c2.master.submit({ processor: "job", params: { n: 3 }, settings: { targetWorkers: ["w1"], workerWaitMs: 4000 } });
    const v2 = await c2.finish(id2);
    expect(v2.status).toBe("FAILED");
    expect(v2.result).toBe("all workers are down");
    expect(c2.clock.now() - start).toBeGreaterThanOrEqual(4000);
    c2.close();
  });
});

describe("B6 failover routing", () => {
  it("B6: re-dispatched tasks go to workers that have answered", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 3 }).start();
    const rec = recordRequests(c.network);
    const id = await c.master.submit({ processor: "job", params: { n: 6 }, settings: { execOnMaster: false, pageSize: 2, livenessTimeoutMs: 3000, heartbeatMs: 500 } });
    await c.clock.advance(1);
    // w1 dies; w3 joins late and has never answered for this instance.
    c.workers[0]!.close();
    const late = c.addWorker("w9");
    await late.join("master");
    const before = rec.sent.length;
    await c.clock.advance(6000);
    const redispatched = rec.sent.slice(before).filter((s) => s.msg.type === "start").flatMap((s) => (s.msg.type === "start" ? s.msg.tasks.filter((t) => t.attempt > 0).map(() => s.to) : []));
    expect(redispatched.length).toBe(2);
    expect(redispatched.every((to) => to !== late.address && to !== c.workers[0]!.address)).toBe(true);
    gate.open();
    expect((await c.finish(id)).status).toBe("SUCCESS");
    c.close();
  });
});

describe("B7 worker-load routing", () => {
  it("B7: a worker never holds more than consumerSize tasks; the freest worker gets the next", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2 }).start();
    const id = await c.master.submit({ processor: "job", params: { n: 40 }, settings: { route: "worker-load", consumerSize: 3, execOnMaster: false } });
    let peak = 0;
    for (let i = 0; i < 40; i++) {
      await c.clock.advance(10);
      const p = c.master.progress(id);
      if (!p) break;
      for (const [k, w] of Object.entries(p.workers)) if (!k.startsWith("master")) peak = Math.max(peak, w.pulled + w.running);
      const waiting = gate.waiting;
      if (waiting.length) gate.release(waiting[0]!);
    }
    expect(peak).toBe(3);
    gate.open();
    const v = await c.finish(id);
    expect(v.status).toBe("SUCCESS");
    const counts = perWorker(v.progress!);
    expect(counts.w1! + counts.w2!).toBe(40);
    c.close();
  });
});

describe("B8 dispatch speed", () => {
  it("B8: dispatchSpeed limits tasks sent per unit of time", async () => {
    const c = await new Cluster({ processors: { sumSquares }, workers: 2 }).start();
    const start = c.clock.now();
    const v = await c.run("sumSquares", { n: 100, ranges: 1 }, { dispatchSpeed: "20/s" });
    expect(v.status).toBe("SUCCESS");
    // 101 sub-tasks at 20/s with a 2-task starting burst: about 5 s of clock time.
    const elapsed = c.clock.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(4900);
    expect(elapsed).toBeLessThan(6500);
    c.close();
  });
});

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

describe("B10 re-dispatch", () => {
  it("B10: INIT tasks that did not fit in memory are claimed back page by page, none twice", async () => {
    const s = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { sumSquares }, store: s.store }).start();
    // One map call of 3,000 bodies with a queue of 50: most rows wait in the store.
    const v = await c.run("sumSquares", { n: 3000, ranges: 1 }, { queueSize: 50, pageSize: 20 });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sumOfSquares(3000), count: 3000 });
    expect(s.calls.get("claimInit")!).toBeGreaterThan(10);
    expect(v.progress!.names.NUM).toEqual({ total: 3000, init: 0, pulled: 0, running: 0, success: 3000, failed: 0 });
    c.close();
  });
});

describe("B9 late failures", () => {
  it("B9: a send that fails after its worker was declared dead does not pull the tasks back from where they run now", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2, requestTimeoutMs: 10_000 }).start();
    const hung = c.workers[0]!;
    c.network.fault(hung.address, "hang"); // accepts nothing and never answers: the start request hangs
    hung.close();
    const rec = recordRequests(c.network);
    const id = await c.master.submit({ processor: "job", params: { n: 4 }, settings: { execOnMaster: false, pageSize: 1, livenessTimeoutMs: 3000, heartbeatMs: 250 } });
    await c.clock.advance(1);
    const toHung = rec.ofType("start").filter((s) => s.to === hung.address).flatMap((s) => s.msg.tasks.map((t) => t.taskId));
    expect(toHung.length).toBeGreaterThan(0);
    // Declared dead after the liveness timeout (it holds tasks and is silent): its tasks run on w2.
    await c.clock.advance(4000);
    // Now the hung request times out, long after.
    await c.clock.advance(7000);
    for (const taskId of toHung) {
      const row = (await c.store.getTask(id, taskId))!;
      expect(row.worker).toMatch(/^w2#/);
      expect(row.attempt).toBe(1);
    }
    gate.open();
    const v = await c.finish(id);
    expect(v.progress!.names.CHILD).toEqual({ total: 4, init: 0, pulled: 0, running: 0, success: 4, failed: 0 });
    c.close();
  });
});
