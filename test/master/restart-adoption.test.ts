// A master restart keeps its workers' assignments (B28): in process, on a manual clock, a new master
// on the same store and address resumes the instance while the workers stay up; or (a takeover)
// another shared master on the same store, which the workers had joined too, takes it over.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { Gate, gated } from "./processors.ts";
import { Master, Worker } from "../../src/index.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { INIT } from "../../core-as/shared/constants.ts";
import { heldByRecords } from "./dispatch-holds.ts";
import { ManualClock } from "../../src/runtime/clock.ts";
import { InProcessNetwork } from "../../src/protocol/in-process.ts";
import type { ProcessorMap } from "../../src/processor/types.ts";

/** The old master and its own worker go away (a SIGKILL'd process); a new one starts on the same store and address. */
async function restart(c: Cluster, processors: ProcessorMap): Promise<{ master: Master; own: Worker }> {
  c.master.close();
  c.ownWorker.close();
  const own = new Worker({ workerId: "master-own", address: "master/worker", transport: c.network, clock: c.clock, processors });
  const master = new Master({ store: c.store, transport: c.network, clock: c.clock, address: "master", ownWorker: own, requestTimeoutMs: 2000 });
  await master.start();
  return { master, own };
}

/** Runs the clock until `master` has the instance final. */
async function finish(c: Cluster, master: Master, id: string) {
  let done: Awaited<ReturnType<Master["waitFor"]>> | undefined;
  void master.waitFor(id).then((v) => { done = v; });
  await c.clock.until(() => done !== undefined, 600_000);
  return done!;
}

/** How many runs each task had, by taskId (every attempt counted). */
function runsPerTask(gate: Gate): Map<string, number> {
  const runs = new Map<string, number>();
  for (const ctx of gate.started) runs.set(ctx.taskId, (runs.get(ctx.taskId) ?? 0) + 1);
  return runs;
}

describe("B28 a restart keeps the workers' assignments", () => {
  it("B28: workers that find their master restarted register again listing what they hold, get it back, and nothing runs twice", async () => {
    const gate = new Gate();
    const processors = { job: gated(gate) };
    const c = await new Cluster({ processors, store: new MemoryStore(), workers: 2 }).start();
    const id = await c.master.submit({ processor: "job", params: { n: 30 }, settings: { execOnMaster: false, consumerSize: 4, livenessTimeoutMs: 5000 } });
    await c.clock.advance(1);
    const held = [...gate.waiting];
    expect(held.length).toBe(8); // 4 running on each worker, the rest queued there
    for (const t of held.slice(0, 3)) gate.release(t);
    await c.clock.advance(1);

    const { master, own } = await restart(c, processors);
    // Counters exact at once (X1): the tasks the workers hold count as handed out, not as waiting.
    const p = master.progress(id)!;
    expect(p.names.CHILD!.success).toBe(3);
    expect(p.names.CHILD!.pulled + p.names.CHILD!.running).toBe(27);
    expect(p.names.CHILD!.init).toBe(0);
    // The store marks no row (B3): the 27 rows are INIT, and the kept dispatch records name them for the workers.
    expect((await c.store.countByStatus(id)).filter((x) => x.status === INIT).reduce((a, x) => a + x.count, 0)).toBe(27);
    expect([...(await heldByRecords(c.store, id)).values()].reduce((a, n) => a + n, 0)).toBe(27);

    await c.clock.advance(1000); // a heartbeat: 409, and the workers register again at once
    gate.open();
    const v = await finish(c, master, id);
    expect(v.status).toBe("SUCCESS");
    expect(v.progress!.names.CHILD).toEqual({ total: 30, init: 0, pulled: 0, running: 0, success: 30, failed: 0 });
    const runs = runsPerTask(gate);
    expect([...runs.values()].filter((n) => n > 1)).toEqual([]);
    expect(runs.size).toBe(30); // every CHILD, once
    // Every CHILD's attempt is still 0: none was failed over.
    expect(gate.started.filter((ctx) => ctx.taskName === "CHILD").every((ctx) => ctx.attempt === 0)).toBe(true);
    master.close();
    own.close();
    for (const w of c.workers) w.close();
  });

  it("B28: in pull mode too, the tasks the workers pulled before the restart are theirs after it, and nothing runs twice", async () => {
    const gate = new Gate();
    const processors = { job: gated(gate) };
    const c = await new Cluster({ processors, store: new MemoryStore(), workers: 2 }).start();
    const id = await c.master.submit({
      processor: "job", params: { n: 30 }, settings: { execOnMaster: false, dispatchMode: "pull", consumerSize: 4, pageSize: 4, livenessTimeoutMs: 5000 },
    });
    await c.clock.advance(10);
    const held = [...gate.waiting];
    expect(held.length).toBe(8);
    const { master, own } = await restart(c, processors);
    expect(master.progress(id)!.names.CHILD!.pulled).toBe(8);
    await c.clock.advance(1000);
    gate.open();
    const v = await finish(c, master, id);
    expect(v.status).toBe("SUCCESS");
    expect(v.progress!.names.CHILD).toEqual({ total: 30, init: 0, pulled: 0, running: 0, success: 30, failed: 0 });
    expect([...runsPerTask(gate).values()].filter((n) => n > 1)).toEqual([]);
    master.close();
    own.close();
    for (const w of c.workers) w.close();
  });

  it("B28: a worker that does not come back within livenessTimeoutMs of the restart has its tasks failed over then, not before", async () => {
    const gate = new Gate();
    const processors = { job: gated(gate) };
    const c = await new Cluster({ processors, store: new MemoryStore(), workers: 2 }).start();
    const id = await c.master.submit({ processor: "job", params: { n: 10 }, settings: { execOnMaster: false, consumerSize: 5, livenessTimeoutMs: 5000 } });
    await c.clock.advance(1);
    const gone = c.workers[0]!;
    const startedBefore = gate.started.length;
    gone.close(); // this worker dies with the master
    const { master, own } = await restart(c, processors);
    await c.clock.advance(4900);
    // Still held for it: nothing of it ran again, and the counters still say handed out.
    expect(gate.started.length).toBe(startedBefore);
    expect(master.progress(id)!.names.CHILD!.init).toBe(0);
    gate.open(); // the other worker's tasks end: its slots are free for the dead worker's
    await c.clock.advance(50);
    expect(gate.started.filter((ctx) => ctx.attempt === 1).length).toBe(0);
    await c.clock.advance(200);
    expect(gate.started.filter((ctx) => ctx.attempt === 1).length).toBe(5);
    const v = await finish(c, master, id);
    expect(v.status).toBe("SUCCESS");
    expect(v.progress!.names.CHILD).toEqual({ total: 10, init: 0, pulled: 0, running: 0, success: 10, failed: 0 });
    // The dead worker's 5 tasks ran again (attempt 1); the other worker's ran once.
    expect(gate.started.filter((ctx) => ctx.attempt === 1).length).toBe(5);
    master.close();
    own.close();
    for (const w of c.workers) w.close();
  });

  it("B28: with failover off, a worker that does not come back has its kept tasks failed, each with the reason", async () => {
    const gate = new Gate();
    const processors = { job: gated(gate) };
    const c = await new Cluster({ processors, store: new MemoryStore(), workers: 2 }).start();
    const id = await c.master.submit({
      processor: "job", params: { n: 10 }, settings: { execOnMaster: false, consumerSize: 5, livenessTimeoutMs: 3000, failover: false, maxFailedTasks: 10 },
    });
    await c.clock.advance(1);
    c.workers[0]!.close();
    const { master, own } = await restart(c, processors);
    await c.clock.advance(1000);
    gate.open();
    const v = await finish(c, master, id);
    expect(v.progress!.names.CHILD).toEqual({ total: 10, init: 0, pulled: 0, running: 0, success: 5, failed: 5 });
    const failed = (await c.store.listTasks(id, { status: 5, limit: 100 }));
    expect(failed.every((t) => String(t.error?.message).includes("did not come back"))).toBe(true);
    master.close();
    own.close();
    for (const w of c.workers) w.close();
  });

  it("B29: a resumed instance dispatches to every worker that registers again, not all to the master's own worker", async () => {
    const gate = new Gate();
    gate.open();
    const processors = { job: gated(gate) };
    const c = await new Cluster({ processors, store: new MemoryStore(), workers: 2 }).start();
    const id = await c.master.submit({ processor: "job", params: { n: 400 }, settings: { execOnMaster: false, dispatchSpeed: "100/s", pageSize: 10 } });
    await c.clock.advance(1000);
    const before = c.master.progress(id)!.names.CHILD!;
    expect(before.success).toBeGreaterThan(0);
    expect(before.success).toBeLessThan(200);
    const { master, own } = await restart(c, processors);
    const v = await finish(c, master, id);
    expect(v.status).toBe("SUCCESS");
    expect(v.progress!.names.CHILD!.success).toBe(400);
    const byWorker = Object.entries(v.progress!.workers);
    const ownDid = byWorker.filter(([k]) => k.startsWith("master-own")).reduce((a, [, w]) => a + w.total, 0);
    expect(ownDid).toBe(0);
    for (const w of ["w1", "w2"]) expect(byWorker.filter(([k]) => k.startsWith(`${w}#`)).reduce((a, [, x]) => a + x.success, 0)).toBeGreaterThan(100);
    master.close();
    own.close();
    for (const w of c.workers) w.close();
  });
});

describe("B29 a resumed instance in pull mode", () => {
  it("B29: in pull mode too, the master's own worker pulls no sub-task while the workers may come back; they do the work", async () => {
    const gate = new Gate();
    gate.open();
    const processors = { job: gated(gate) };
    const c = await new Cluster({ processors, store: new MemoryStore(), workers: 2 }).start();
    const id = await c.master.submit({
      processor: "job", params: { n: 400 }, settings: { execOnMaster: false, dispatchMode: "pull", dispatchSpeed: "100/s", pageSize: 10 },
    });
    await c.clock.advance(1000);
    const before = c.master.progress(id)!.names.CHILD!;
    expect(before.success).toBeGreaterThan(0);
    expect(before.success).toBeLessThan(200);
    const { master, own } = await restart(c, processors);
    const v = await finish(c, master, id);
    expect(v.status).toBe("SUCCESS");
    expect(v.progress!.names.CHILD!.success).toBe(400);
    const byWorker = Object.entries(v.progress!.workers);
    expect(byWorker.filter(([k]) => k.startsWith("master-own")).reduce((a, [, w]) => a + w.total, 0)).toBe(0);
    for (const w of ["w1", "w2"]) expect(byWorker.filter(([k]) => k.startsWith(`${w}#`)).reduce((a, [, x]) => a + x.success, 0)).toBeGreaterThan(100);
    master.close();
    own.close();
    for (const w of c.workers) w.close();
  });

  it("B29: in pull mode, when no worker comes back within livenessTimeoutMs, the master's own worker is told to pull and finishes the job", async () => {
    const gate = new Gate();
    gate.open();
    const processors = { job: gated(gate) };
    const c = await new Cluster({ processors, store: new MemoryStore(), workers: 2 }).start();
    const id = await c.master.submit({
      processor: "job", params: { n: 100 }, settings: { execOnMaster: false, dispatchMode: "pull", dispatchSpeed: "100/s", pageSize: 10, livenessTimeoutMs: 2000 },
    });
    await c.clock.advance(300);
    for (const w of c.workers) w.close(); // the workers die with the master
    const { master, own } = await restart(c, processors);
    const v = await finish(c, master, id);
    expect(v.status).toBe("SUCCESS");
    expect(v.progress!.names.CHILD!.success).toBe(100);
    master.close();
    own.close();
  });
});

describe("B28 a resumed master holds each kept task once", () => {
  it("B28: after a restart, a kept task whose run fails with runs left is retried once, not claimed again with the stored backlog", async () => {
    const gate = new Gate();
    const processors = { job: gated(gate) };
    const c = await new Cluster({ processors, store: new MemoryStore(), workers: 2 }).start();
    // A small queue: most rows wait in the store and are claimed page by page after the restart (B10).
    const id = await c.master.submit({
      processor: "job", params: { n: 300 },
      settings: {
        execOnMaster: false, dispatchMode: "pull", consumerSize: 4, queueSize: 20, pageSize: 4,
        taskMaxAttempts: 2, taskRetryDelay: 30_000, taskRetryBackoff: "fixed", livenessTimeoutMs: 5000,
      },
    });
    await c.clock.advance(10);
    const held = [...gate.waiting];
    expect(held.length).toBe(8);
    const { master, own } = await restart(c, processors);
    await c.clock.advance(1000); // the workers register again listing what they hold: theirs again
    expect(master.progress(id)!.names.CHILD!.init).toBeGreaterThan(100); // the backlog is still in the store
    gate.release(held[0]!, false); // a kept task's run fails: it waits 30 s for its retry, INIT again in the store meanwhile
    await c.clock.advance(100);
    gate.open();
    const v = await finish(c, master, id);
    expect(v.status).toBe("SUCCESS");
    expect(v.progress!.names.CHILD).toEqual({ total: 300, init: 0, pulled: 0, running: 0, success: 300, failed: 0 });
    const runs = runsPerTask(gate);
    expect(runs.get(held[0]!)).toBe(2); // the failed run and its one retry
    expect([...runs].filter(([t, n]) => n > 1 && t !== held[0])).toEqual([]);
    master.close();
    own.close();
    for (const w of c.workers) w.close();
  });

  it("B28: on a takeover the kept tasks that fail over (their workers cannot reach the new owner) are in its memory once: each runs once more and the counters end exact", async () => {
    const gate = new Gate();
    const processors = { job: gated(gate) };
    const clock = new ManualClock(1_000_000);
    const network = new InProcessNetwork(clock);
    const store = new MemoryStore();
    const shared = { leaseMs: 3000, renewMs: 1000, takeoverMs: 500 };
    const node = (address: string) => {
      const own = new Worker({ workerId: `${address}-own`, address: `${address}/worker`, transport: network, clock, processors });
      return { own, master: new Master({ store, transport: network, clock, address, ownWorker: own, requestTimeoutMs: 2000, shared }) };
    };
    const a = node("master-a"), b = node("master-b");
    await a.master.start();
    await b.master.start();
    const ws: Worker[] = [];
    for (const wid of ["w1", "w2"]) {
      const w = new Worker({ workerId: wid, address: `${wid}-addr`, transport: network, clock, processors, slots: 5 });
      await w.join("master-a");
      ws.push(w);
    }
    // A third worker serves B only: it runs what B fails over.
    const w3 = new Worker({ workerId: "w3", address: "w3-addr", transport: network, clock, processors, slots: 5 });
    await w3.join("master-b");
    ws.push(w3);
    // All 2,500 go to the pools of w1 and w2 and are kept on resume; they never hand them over (they do
    // not know B, B36), so B fails them over once the wait ends, and its claims of the stored backlog
    // run after those writes.
    const id = await a.master.submit({ processor: "job", params: { n: 2500 }, settings: { execOnMaster: false, consumerSize: 4, livenessTimeoutMs: 2000 } });
    await clock.advance(1);
    expect(gate.waiting.length).toBe(8); // running on the workers for A
    a.master.close();
    a.own.close();
    network.fault("master-a", "refused");
    await clock.until(() => b.master.running().includes(id), 10_000);
    gate.open();
    let done: Awaited<ReturnType<Master["waitFor"]>> | undefined;
    void b.master.waitFor(id).then((v) => { done = v; });
    await clock.until(() => done !== undefined, 600_000);
    expect(done!.status).toBe("SUCCESS");
    expect(done!.progress!.names.CHILD).toEqual({ total: 2500, init: 0, pulled: 0, running: 0, success: 2500, failed: 0 });
    // Each attempt of each task ran at most once: a failed-over kept task was not also claimed back from the store.
    const runs = new Map<string, number>();
    for (const ctx of gate.started) runs.set(`${ctx.taskId}@${ctx.attempt}`, (runs.get(`${ctx.taskId}@${ctx.attempt}`) ?? 0) + 1);
    expect([...runs].filter(([, n]) => n > 1)).toEqual([]);
    b.master.close();
    b.own.close();
    for (const w of ws) w.close();
  });
});
