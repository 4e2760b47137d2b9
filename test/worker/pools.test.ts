// A worker's pools: bounded by its slots (M5), made only for work and with params (M7, M8),
// and freed when idle (M9). A worker against a fake master on the in-process network.
import { describe, it, expect, afterEach } from "vitest";
import { ManualClock } from "../../src/runtime/clock.ts";
import { InProcessNetwork } from "../../src/protocol/in-process.ts";
import { Worker } from "../../src/worker/index.ts";
import { defineMap } from "../../src/index.ts";
import { FAKE_CREDENTIAL, fakeMaster, tasks } from "./fake-master.ts";

const closers: Array<() => void> = [];
afterEach(() => { for (const c of closers.splice(0)) c(); });

/** Tasks wait here until `release()`. */
function gated() {
  let running = 0, peak = 0;
  const waiting: Array<() => void> = [];
  const processor = defineMap({
    async process() {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((r) => waiting.push(r));
      running--;
      return { ok: true, result: 1 };
    },
  });
  return { processor, peak: () => peak, release: () => { for (const r of waiting.splice(0)) r(); } };
}

async function setup(o: { slots?: number; poolIdleMs?: number; processor: ReturnType<typeof gated>["processor"] }) {
  const clock = new ManualClock(1000);
  const net = new InProcessNetwork(clock);
  const master = fakeMaster(net);
  const worker = new Worker({ workerId: "w1", address: "w1", transport: net, clock, processors: { p: o.processor }, slots: o.slots, poolIdleMs: o.poolIdleMs, heartbeatMs: 1000 });
  closers.push(() => worker.close(), master.stop);
  await worker.join(master.address);
  return { clock, net, master, worker };
}

describe("worker pools", () => {
  it("M5: a --slots 2 worker runs at most 2 tasks of a job whose consumerSize is 2000", async () => {
    const g = gated();
    const { clock, net, master, worker } = await setup({ slots: 2, processor: g.processor });
    const reply = await net.request("w1", master.start("w1", "i1", tasks(50), { consumerSize: 2000 }));
    expect(reply).toEqual({ ok: true, accepted: 50 });
    for (let i = 0; i < 30; i++) {
      await clock.advance(10);
      expect(worker.running).toBeLessThanOrEqual(2);
      g.release();
    }
    await clock.until(() => master.finals.size === 50);
    expect(g.peak()).toBe(2);
  });

  it("M5: in pull mode it asks for at most its slots' worth", async () => {
    const g = gated();
    const { clock, net, master } = await setup({ slots: 3, processor: g.processor });
    master.toPull.push(...tasks(10));
    const notice = { type: "notifyPull" as const, master: "master", credential: FAKE_CREDENTIAL, worker: { workerId: "w1", incarnation: 1 }, pageSize: 100,
      instance: { instanceId: "i1", serialNum: 1, processor: "p", params: null, consumerSize: 1000 } };
    expect(await net.request("w1", notice)).toEqual({ ok: true });
    await clock.advance(10);
    const pulls = () => master.got.filter((m) => m.type === "pull");
    expect(pulls().length).toBeGreaterThanOrEqual(1);
    expect(pulls().every((m) => m.type === "pull" && m.max <= 3)).toBe(true);
    expect(g.peak()).toBe(3);
    await clock.until(() => { g.release(); return master.finals.size === 10; });
  });

  it("M8: a start batch with no tasks is acknowledged and makes no pool", async () => {
    const g = gated();
    const { net, master, worker } = await setup({ processor: g.processor });
    for (let i = 0; i < 20; i++) expect(await net.request("w1", master.start("w1", `i${i}`, []))).toEqual({ ok: true, accepted: 0 });
    expect(worker.instances).toEqual([]);
  });

  it("M7: a start batch without params for a pool the worker lacks is refused with params_needed, and takes no task", async () => {
    const g = gated();
    const { clock, net, master, worker } = await setup({ processor: g.processor });
    const bare = master.start("w1", "i1", tasks(3));
    delete bare.instance.params;
    const r = await net.request("w1", bare);
    expect(r.ok).toBe(false);
    expect(!r.ok && [r.code, r.field]).toEqual(["params_needed", "instance.params"]);
    expect(worker.instances).toEqual([]);
    expect(worker.running).toBe(0);
    // With params it is taken; then a batch without them joins the pool.
    expect(await net.request("w1", master.start("w1", "i1", tasks(3)))).toEqual({ ok: true, accepted: 3 });
    const more = master.start("w1", "i1", tasks(2, "u"));
    delete more.instance.params;
    expect(await net.request("w1", more)).toEqual({ ok: true, accepted: 2 });
    await clock.until(() => { g.release(); return master.finals.size === 5; });
  });

  it("M9: pools of forged one-task batches for 50 instances are freed once idle for poolIdleMs on the worker's clock, not before", async () => {
    const g = gated();
    const { clock, net, master, worker } = await setup({ processor: g.processor, poolIdleMs: 60_000 });
    for (let i = 0; i < 50; i++) await net.request("w1", master.start("w1", `i${i}`, tasks(1, `i${i}`)));
    expect(worker.instances.length).toBe(50);
    // While tasks run, their pools are in use, however long.
    await clock.advance(120_000);
    expect(worker.instances.length).toBe(50);
    g.release();
    await clock.until(() => master.finals.size === 50);
    await clock.advance(55_000);
    expect(worker.instances.length).toBe(50);
    await clock.advance(10_000);
    expect(worker.instances).toEqual([]);
    expect(worker.pendingReports).toBe(0);
  });

  it("M9: poolIdleMs is validated, naming the field", () => {
    const clock = new ManualClock();
    const net = new InProcessNetwork(clock);
    expect(() => new Worker({ workerId: "w", address: "w", transport: net, clock, processors: {}, poolIdleMs: 0 })).toThrow(/poolIdleMs: Expected an integer >= 1/);
  });
});
