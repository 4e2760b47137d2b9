// A takeover keeps the workers' assignments too (B36): in process, on a manual clock, two shared
// masters on one store; the owner dies mid-job, the other takes the instance over, and the workers
// (joined to both) hand it the tasks they still hold of it, so it adopts them instead of running
// them again.
import { describe, it, expect } from "vitest";
import { Gate, gated } from "./processors.ts";
import { Master, Worker } from "../../src/index.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { ManualClock } from "../../src/runtime/clock.ts";
import { InProcessNetwork } from "../../src/protocol/in-process.ts";
import type { InstanceView } from "../../src/master/index.ts";
import type { JobSettings } from "../../src/master/settings.ts";

const LEASE = { leaseMs: 3000, renewMs: 1000, takeoverMs: 500 };

/** Two started shared masters on one store and network, two workers joined to `joins` (default: both). */
async function twoMasters(gate: Gate, joins = ["master-a", "master-b"]) {
  const processors = { job: gated(gate) };
  const clock = new ManualClock(1_000_000);
  const network = new InProcessNetwork(clock);
  const store = new MemoryStore();
  const node = (address: string) => {
    const own = new Worker({ workerId: `${address}-own`, address: `${address}/worker`, transport: network, clock, processors });
    return { own, master: new Master({ store, transport: network, clock, address, ownWorker: own, requestTimeoutMs: 2000, shared: LEASE }) };
  };
  const a = node("master-a"), b = node("master-b");
  await a.master.start();
  await b.master.start();
  const ws: Worker[] = [];
  for (const wid of ["w1", "w2"]) {
    const w = new Worker({ workerId: wid, address: `${wid}-addr`, transport: network, clock, processors, slots: 5 });
    for (const m of joins) await w.join(m);
    ws.push(w);
  }
  const close = () => {
    for (const n of [a, b]) { n.master.close(); n.own.close(); }
    for (const w of ws) w.close();
  };
  return { clock, network, store, a, b, ws, close };
}

/** Submits on A, lets the workers start 8 tasks for it and finish 3, then A dies (SIGKILL) and B takes the instance over. */
async function takeover(gate: Gate, settings: Partial<JobSettings>, joins?: string[]) {
  const c = await twoMasters(gate, joins);
  const id = await c.a.master.submit({ processor: "job", params: { n: 30 }, settings: { execOnMaster: false, consumerSize: 4, livenessTimeoutMs: 5000, ...settings } });
  await c.clock.advance(10);
  const held = [...gate.waiting];
  expect(held.length).toBe(8); // 4 running on each worker, for A
  for (const t of held.slice(0, 3)) gate.release(t);
  await c.clock.advance(10);
  c.a.master.close();
  c.a.own.close();
  c.network.fault("master-a", "refused");
  await c.clock.until(() => c.b.master.running().includes(id), 10_000);
  return { ...c, id, held };
}

async function finish(clock: ManualClock, master: Master, id: string): Promise<InstanceView> {
  let done: InstanceView | undefined;
  void master.waitFor(id).then((v) => { done = v; });
  await clock.until(() => done !== undefined, 600_000);
  return done!;
}

function runsPerTask(gate: Gate): Map<string, number> {
  const runs = new Map<string, number>();
  for (const ctx of gate.started) runs.set(ctx.taskId, (runs.get(ctx.taskId) ?? 0) + 1);
  return runs;
}

describe("B36 a takeover keeps the workers' assignments", () => {
  for (const dispatchMode of ["push", "pull"] as const) {
    it(`B36: after a takeover (${dispatchMode}), the tasks live workers hold are handed to the new owner and adopted: each runs once, none is rerun`, async () => {
      const gate = new Gate();
      const c = await takeover(gate, dispatchMode === "pull" ? { dispatchMode, pageSize: 4 } : {});
      // Within a few heartbeats the workers ask B who runs the instance, and hand it their tasks.
      await c.clock.advance(3000);
      const p = c.b.master.progress(c.id)!;
      // What the workers held is theirs at B: their incarnations there took the stand-ins' places
      // (a stand-in failed over would stay listed beside them), and nothing went back to INIT.
      expect(Object.keys(p.workers).filter((k) => /^w[12]#/.test(k)).length).toBe(2);
      expect(gate.started.filter((ctx) => ctx.attempt > 0)).toEqual([]);
      gate.open();
      const v = await finish(c.clock, c.b.master, c.id);
      expect(v.status).toBe("SUCCESS");
      expect(v.progress!.names.CHILD).toEqual({ total: 30, init: 0, pulled: 0, running: 0, success: 30, failed: 0 });
      const runs = runsPerTask(gate);
      expect([...runs].filter(([, n]) => n > 1)).toEqual([]);
      expect(runs.size).toBe(30); // every CHILD, once
      expect(gate.started.filter((ctx) => ctx.taskName === "CHILD").every((ctx) => ctx.attempt === 0)).toBe(true);
      c.close();
    });
  }

  it("B36: while the new owner still reads the store, it does not name itself the owner: the workers hand their tasks over once it can adopt them, and every report counts", async () => {
    const gate = new Gate();
    const c = await twoMasters(gate);
    const id = await c.a.master.submit({ processor: "job", params: { n: 30 }, settings: { execOnMaster: false, consumerSize: 4, livenessTimeoutMs: 8000 } });
    await c.clock.advance(10);
    expect(gate.waiting.length).toBe(8);
    // B's resume will wait on its read of the dispatch records until released.
    let release!: () => void;
    const reading = new Promise<void>((r) => { release = r; });
    const list = c.store.listDispatches.bind(c.store);
    c.store.listDispatches = async (...args) => { await reading; return list(...args); };
    c.a.master.close();
    c.a.own.close();
    c.network.fault("master-a", "refused");
    await c.clock.until(() => c.b.master.ownership().takenOver > 0, 10_000);
    gate.releaseAll(); // the 8 runs end while B reads: their reports wait on the workers
    await c.clock.advance(3000); // heartbeats: B answers no owner yet, so nothing is handed over
    expect(c.b.master.running()).toContain(id);
    release();
    gate.open();
    const v = await finish(c.clock, c.b.master, id);
    expect(v.status).toBe("SUCCESS");
    expect(v.progress!.names.CHILD).toEqual({ total: 30, init: 0, pulled: 0, running: 0, success: 30, failed: 0 });
    expect([...runsPerTask(gate)].filter(([, n]) => n > 1)).toEqual([]);
    c.close();
  });

  it("B36: a shared master sends a batch only once its dispatch record is stored, so a takeover can keep every task a worker runs", async () => {
    const gate = new Gate();
    const c = await twoMasters(gate);
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const record = c.store.recordDispatch.bind(c.store);
    let recorded = 0;
    // ROOT's record (seq 0, the master's own worker) goes through: the children's records wait.
    c.store.recordDispatch = async (fence, rec) => {
      if (!rec.seqs.includes(0)) { await held; recorded++; }
      return record(fence, rec);
    };
    const id = await c.a.master.submit({ processor: "job", params: { n: 10 }, settings: { execOnMaster: false, consumerSize: 4 } });
    await c.clock.advance(10);
    expect(c.a.master.progress(id)!.names.CHILD!.pulled).toBeGreaterThan(0); // handed out in memory…
    expect(gate.started).toEqual([]); // …but no worker has them while their records wait
    release();
    await c.clock.advance(10);
    expect(recorded).toBeGreaterThan(0);
    expect(gate.started.length).toBe(8);
    c.close();
  });

  it("B36: a worker that never hands its tasks over (it did not join the new owner) has them failed over once the wait ends; the counters end exact", async () => {
    const gate = new Gate();
    const c = await takeover(gate, {}, ["master-a"]);
    // A third worker joins B only: it runs what B fails over; w1 and w2 cannot reach B.
    const w3 = new Worker({ workerId: "w3", address: "w3-addr", transport: c.network, clock: c.clock, processors: { job: gated(gate) }, slots: 5 });
    await w3.join("master-b");
    await c.clock.advance(4000);
    expect(gate.started.filter((ctx) => ctx.attempt === 1).length).toBe(0); // still within livenessTimeoutMs of the takeover
    gate.open();
    const v = await finish(c.clock, c.b.master, c.id);
    expect(v.status).toBe("SUCCESS");
    expect(v.progress!.names.CHILD).toEqual({ total: 30, init: 0, pulled: 0, running: 0, success: 30, failed: 0 });
    // Every task they held (running, or queued in their pools for A) ran again on w3.
    expect(gate.started.filter((ctx) => ctx.attempt === 1).length).toBe(27 - 3 + 3);
    c.close();
    w3.close();
  });
});
