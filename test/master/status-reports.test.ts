import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares, sumOfSquares, Gate, gated } from "./processors.ts";
import { recordRequests, instrumentStore } from "./recording.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import type { TaskReport } from "../../src/protocol/messages.ts";

/** Starts a gated job and returns its running CHILD task specs as sent to workers. */
async function startGated(c: Cluster, n: number, settings: Record<string, unknown> = {}) {
  const rec = recordRequests(c.network);
  const id = await c.master.submit({ processor: "job", params: { n }, settings: { execOnMaster: false, ...settings } });
  await c.clock.advance(1);
  const tasks = rec.ofType("start").flatMap((s) => s.msg.tasks.filter((t) => t.name === "CHILD").map((t) => ({ ...t, to: s.to })));
  return { id, rec, tasks };
}

describe("B11 status reports", () => {
  it("B11: reports for another attempt, a finished task, a stale serialNum or another worker are not applied", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2 }).start();
    const { id, tasks } = await startGated(c, 4);
    const t = tasks[0]!;
    const owner = c.workers.find((w) => w.address === t.to)!;
    const other = c.workers.find((w) => w.address !== t.to)!;
    const base = { instanceId: id, serialNum: 1, handle: t.handle, taskId: t.taskId, attempt: t.attempt };
    const send = (w: typeof owner, inc: number, reports: TaskReport[]) =>
      c.network.request("master", { type: "report", worker: { workerId: w.workerId, incarnation: inc }, load: { freeSlots: 1, cpuFree: null, memFree: null }, reports });
    const incOf = async (w: typeof owner) => (await c.store.getTask(id, t.taskId))!.worker!.startsWith(w.workerId) ? Number((await c.store.getTask(id, t.taskId))!.worker!.split("#")[1]) : -1;
    const inc = await incOf(owner);
    expect(inc).toBeGreaterThan(0);
    const r1 = await send(owner, inc, [{ ...base, attempt: 7, status: "SUCCESS" }, { ...base, serialNum: 0, status: "SUCCESS" }]);
    expect(r1).toMatchObject({ ok: true, applied: 0, refused: 2 });
    const otherInc = Number(Object.keys(c.master.progress(id)!.workers).find((k) => k.startsWith(other.workerId))?.split("#")[1] ?? 0);
    if (otherInc) expect(await send(other, otherInc, [{ ...base, status: "SUCCESS" }])).toMatchObject({ applied: 0, refused: 1 });
    // Within a batch a final report wins over RUNNING.
    const r2 = await send(owner, inc, [{ ...base, status: "SUCCESS", result: "first" }, { ...base, status: "RUNNING" }]);
    expect(r2).toMatchObject({ ok: true, applied: 1 });
    // A finished task: refused, and nothing changes.
    const before = c.master.progress(id)!.names.CHILD!;
    const r3 = await send(owner, inc, [{ ...base, status: "FAILED", result: "late" }]);
    expect(r3).toMatchObject({ applied: 0, refused: 1 });
    expect(c.master.progress(id)!.names.CHILD).toEqual(before);
    expect((await c.store.getTask(id, t.taskId))!.result).toBe("first");
    expect(c.master.refusals(id)!.stale + c.master.refusals(id)!.wrongAttempt + c.master.refusals(id)!.wrongWorker).toBeGreaterThanOrEqual(2);
    gate.open();
    await c.finish(id);
    c.close();
  });

  it("B11: an unregistered worker gets 409 (unregistered), re-registers and sends again", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 1 }).start();
    const r = await c.network.request("master", { type: "report", worker: { workerId: "ghost", incarnation: 99 }, load: { freeSlots: 1, cpuFree: null, memFree: null }, reports: [] });
    expect(r).toMatchObject({ ok: false, code: "unregistered" });
    c.close();
  });

  it("B11: a store write that fails three times fails the instance \"persistence failed\"", async () => {
    const s = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { sumSquares }, store: s.store }).start();
    s.failing.set("updateStatuses", 3);
    const v = await c.run("sumSquares", { n: 30, ranges: 3 });
    expect(v.status).toBe("FAILED");
    expect(v.result).toMatch(/^persistence failed: injected updateStatuses failure/);
    c.close();
  });

  it("B11: a write that fails twice succeeds on the third attempt", async () => {
    const s = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { sumSquares }, store: s.store }).start();
    s.failing.set("updateStatuses", 2);
    const v = await c.run("sumSquares", { n: 30, ranges: 3 });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sumOfSquares(30), count: 30 });
    c.close();
  });
});

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

describe("B13 progress", () => {
  it("B13: progress per name and per worker is pushed to watchers while running and kept after the tasks are cleared", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2 }).start();
    const { id } = await startGated(c, 10, { progressMs: 500 });
    const seen: number[] = [];
    c.master.watch(id, (p) => seen.push(p.names.CHILD?.success ?? 0));
    await c.clock.advance(1000);
    gate.release("r.0.0");
    await c.clock.advance(1000);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.at(-1)).toBe(1);
    gate.open();
    const v = await c.finish(id);
    expect(seen.at(-1)).toBe(10);
    const rec = await c.store.getInstance(id);
    expect(rec!.progress!.names.CHILD).toEqual({ total: 10, init: 0, pulled: 0, running: 0, success: 10, failed: 0 });
    expect(Object.values(rec!.progress!.workers).reduce((a, w) => a + w.success, 0)).toBe(11);
    expect(v.progress).toEqual(rec!.progress);
    expect(await c.store.getTask(id, "r.0.0")).toBeNull(); // B18: tasks cleared
    c.close();
  });
});

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
    c.close();
  });

  it("B15: a worker that comes back is a new incarnation; reports from the old one are not applied", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2 }).start();
    const { id, tasks } = await startGated(c, 6);
    const w = c.workers[0]!;
    const mine = tasks.filter((t) => t.to === w.address);
    const oldKey = Object.keys(c.master.progress(id)!.workers).find((k) => k.startsWith(w.workerId))!;
    const oldInc = Number(oldKey.split("#")[1]);
    // Same worker id registers again (a restarted process).
    const reg = await c.network.request("master", { type: "register", workerId: w.workerId, address: "w1-new", slots: 5, load: { freeSlots: 5, cpuFree: null, memFree: null } });
    expect(reg.ok && reg.incarnation).toBeGreaterThan(oldInc);
    const r = await c.network.request("master", {
      type: "report", worker: { workerId: w.workerId, incarnation: oldInc }, load: { freeSlots: 1, cpuFree: null, memFree: null },
      reports: mine.map((t) => ({ instanceId: id, serialNum: 1, handle: t.handle, taskId: t.taskId, attempt: t.attempt, status: "SUCCESS" as const })),
    });
    expect(r).toMatchObject({ ok: false, code: "unregistered" });
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
    const { id, tasks } = await startGated(c, 6, { heartbeatMs: 500 });
    const w = c.workers[0]!;
    const held = tasks.filter((t) => t.to === w.address);
    expect(held.length).toBeGreaterThan(0);
    // The worker loses its pool (as after a destroyPool it did not expect).
    await c.network.request(w.address, { type: "destroyPool", instanceId: id });
    await c.clock.advance(2500);
    expect((await c.store.getTask(id, held[0]!.taskId))!.attempt).toBe(1);
    gate.open();
    const v = await c.finish(id);
    expect(v.status).toBe("SUCCESS");
    c.close();
  });
});
