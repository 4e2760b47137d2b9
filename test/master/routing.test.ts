// Routing (B5-B7): which worker gets the next batch — round-robin, only workers that
// have answered when re-dispatching, or the freest worker under consumerSize.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares, Gate, gated } from "./processors.ts";
import { recordRequests } from "./recording.ts";
import { perWorker } from "./per-worker.ts";
import { tasksOf } from "../../src/protocol/columns.ts";

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
    const rec = recordRequests(c.network, c.workers);
    const id = await c.master.submit({ processor: "job", params: { n: 6 }, settings: { execOnMaster: false, pageSize: 2, livenessTimeoutMs: 3000, heartbeatMs: 500 } });
    await c.clock.advance(1);
    // w1 dies; w3 joins late and has never answered for this instance.
    c.workers[0]!.close();
    const late = c.addWorker("w9");
    await late.join("master");
    const before = rec.sent.length;
    await c.clock.advance(6000);
    const redispatched = rec.sent.slice(before).filter((s) => s.msg.type === "start").flatMap((s) => (s.msg.type === "start" ? tasksOf(s.msg.tasks).filter((t) => t.attempt > 0).map(() => s.to) : []));
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

