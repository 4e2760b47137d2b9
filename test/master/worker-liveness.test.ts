// Worker liveness and shutdown (B14, B15): a silent worker is declared dead and its
// unfinished tasks are failed over (or failed), a worker that comes back is a new
// incarnation, and a worker that drops an instance is shut down for it.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { Gate, gated } from "./processors.ts";
import { startGated } from "./start-gated.ts";
import { credentialOf, refOf } from "./identities.ts";
import { reportColumns } from "../../src/protocol/columns.ts";

describe("B14 liveness and B15 worker shutdown", () => {
  it("B14/B15: a worker that misses the liveness timeout is dead; failover sends its unfinished tasks to INIT (attempt + 1)", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2 }).start();
    const { id, tasks } = await startGated(c, 10, { livenessTimeoutMs: 3000, heartbeatMs: 500 });
    const dead = c.workers[0]!;
    const held = tasks.filter((t) => t.to === dead.address).length;
    expect(held).toBeGreaterThan(0);
    const deadKey = Object.keys(c.master.progress(id)!.workers).find((k) => k.startsWith(dead.workerId))!;
    c.network.fault(dead.address, "hang"); // stops answering, like SIGSTOP
    dead.close(); // and sends nothing more
    const at = c.clock.now();
    await c.clock.until(() => (c.master.progress(id)!.workers[deadKey]?.total ?? 0) === 0, 10_000);
    // Declared dead within the liveness timeout plus one check interval.
    expect(c.clock.now() - at).toBeLessThanOrEqual(3000 + 500 + 1);
    expect((await c.store.getTask(id, tasks.find((t) => t.to === dead.address)!.taskId))!.attempt).toBe(1);
    gate.open();
    const v = await c.finish(id);
    expect(v.status).toBe("SUCCESS");
    expect(v.progress!.names.CHILD).toEqual({ total: 10, init: 0, pulled: 0, running: 0, success: 10, failed: 0 });
    expect(v.progress!.workers[deadKey]).toBeUndefined(); // no task counted on the dead worker
    c.close();
  });

  it("B15: with failover off, a dead worker's unfinished tasks fail, and their count is the failed count", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2 }).start();
    const { id, tasks } = await startGated(c, 10, { livenessTimeoutMs: 3000, heartbeatMs: 500, failover: false });
    const dead = c.workers[0]!;
    const held = tasks.filter((t) => t.to === dead.address).length;
    c.network.fault(dead.address, "hang");
    dead.close();
    await c.clock.advance(4000);
    gate.open();
    const v = await c.finish(id);
    expect(v.status).toBe("FAILED");
    expect(v.progress!.names.CHILD!.failed).toBe(held);
    // B25: each is listed with why, and kept with its worker and error.
    expect(v.failedCount).toBe(held);
    expect(v.errors).toHaveLength(Math.min(10, held));
    for (const e of v.errors) expect(e).toMatchObject({ name: "CHILD", worker: expect.stringMatching(/^w1#/), message: expect.stringMatching(/^worker w1 missed the liveness timeout/) });
    const failed = (await c.master.tasks(id, { status: "FAILED" }))!.tasks;
    expect(failed).toHaveLength(held);
    for (const t of failed) expect(t).toMatchObject({ worker: expect.stringMatching(/^w1#/), error: { message: expect.stringMatching(/^worker w1 missed/) } });
    c.close();
  });

  it("B15: a worker that comes back is a new incarnation; reports from the old one are refused as superseded (B30)", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2 }).start();
    const { id, tasks, rec } = await startGated(c, 6);
    const w = c.workers[0]!;
    const mine = tasks.filter((t) => t.to === w.address);
    const oldRef = refOf(rec, w.workerId)!;
    const oldKey = Object.keys(c.master.progress(id)!.workers).find((k) => k.startsWith(w.workerId))!;
    const oldInc = Number(oldKey.split("#")[1]);
    // Same worker id registers again (a restarted process).
    const reg = await c.network.request("master", { type: "register", workerId: w.workerId, address: "w1-new", slots: 5, load: { freeSlots: 5, cpuFree: null, memFree: null } });
    expect(reg.ok && reg.incarnation).toBeGreaterThan(oldInc);
    expect(oldRef.incarnation).toBe(oldInc);
    const r = await c.network.request("master", {
      type: "report", worker: oldRef, load: { freeSlots: 1, cpuFree: null, memFree: null },
      reports: reportColumns(mine.map((t) => ({ instanceId: id, serialNum: 1, handle: t.handle, taskId: t.taskId, attempt: t.attempt, status: "SUCCESS" as const }))),
    });
    expect(r).toMatchObject({ ok: false, code: "superseded" });
    // Its tasks went back to INIT with attempt + 1.
    const row = await c.store.getTask(id, mine[0]!.taskId);
    expect(row!.attempt).toBe(1);
    w.close();
    gate.open();
    const v = await c.finish(id);
    expect(v.progress!.names.CHILD!.success).toBe(6);
    c.close();
  });

  it("B14: a worker whose heartbeats no longer list the instance while it holds tasks is shut down for it", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2 }).start();
    const { id, tasks, rec } = await startGated(c, 6, { heartbeatMs: 500 });
    const w = c.workers[0]!;
    const held = tasks.filter((t) => t.to === w.address);
    expect(held.length).toBeGreaterThan(0);
    // The worker loses its pool (as after a destroyPool it did not expect).
    await c.network.request(w.address, { type: "destroyPool", ...credentialOf(rec), instanceId: id });
    await c.clock.advance(2500);
    expect((await c.store.getTask(id, held[0]!.taskId))!.attempt).toBe(1);
    gate.open();
    const v = await c.finish(id);
    expect(v.status).toBe("SUCCESS");
    c.close();
  });
});

describe("failed-over handles", () => {
  it("B15: a dead worker holding 150,000 tasks has them all failed over", { timeout: 120_000 }, async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2 }).start();
    const id = await c.master.submit({ processor: "job", params: { n: 300_000 }, settings: { execOnMaster: false, pageSize: 50_000, queueSize: 300_000, livenessTimeoutMs: 3000, heartbeatMs: 500 } });
    await c.clock.advance(1);
    const dead = c.workers[0]!;
    const key = Object.keys(c.master.progress(id)!.workers).find((k) => k.startsWith(dead.workerId))!;
    expect(c.master.progress(id)!.workers[key]!.total).toBe(150_000);
    c.network.fault(dead.address, "hang");
    dead.close();
    gate.open();
    const v = await c.finish(id);
    expect(v.status).toBe("SUCCESS");
    expect(v.progress!.names.CHILD).toEqual({ total: 300_000, init: 0, pulled: 0, running: 0, success: 300_000, failed: 0 });
    c.close();
  });
});
