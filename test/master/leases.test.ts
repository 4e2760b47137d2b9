// Several masters on one store (X3), in one process on manual clocks: leases
// renewed while a master lives, taken over once it dies, and a master that
// paused past its lease refused by the store when it wakes up.
import { describe, it, expect } from "vitest";
import { ManualClock } from "../../src/runtime/clock.ts";
import { InProcessNetwork } from "../../src/protocol/in-process.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import type { Fence, LeaseTerms, TaskStore } from "../../src/store/task-store.ts";
import { Master, type InstanceView, type MasterEvent } from "../../src/master/index.ts";
import { resolveLeaseSettings } from "../../src/master/lease-settings.ts";
import { Worker } from "../../src/worker/index.ts";
import { sumSquares, sumOfSquares } from "./processors.ts";

const LEASE = { leaseMs: 3000, renewMs: 1000, takeoverMs: 500 };
const SETTINGS = { dispatchSpeed: "300/s", pageSize: 20, livenessTimeoutMs: 2000 };
const N = 1500;

interface Node { master: Master; own: Worker; clock: ManualClock; events: MasterEvent[] }

/** A shared master at `address` on its own clock (a separate one lets a test freeze it, as SIGSTOP would). */
function node(address: string, store: TaskStore, network: InProcessNetwork, clock: ManualClock): Node {
  const processors = { sumSquares };
  const own = new Worker({ workerId: `${address}-own`, address: `${address}/worker`, transport: network, clock, processors });
  const events: MasterEvent[] = [];
  const master = new Master({
    store, transport: network, clock, address, ownWorker: own, requestTimeoutMs: 2000, shared: LEASE, log: (e) => events.push(e),
  });
  return { master, own, clock, events };
}

async function workers(network: InProcessNetwork, clock: ManualClock, masters: string[], n = 2): Promise<Worker[]> {
  const out: Worker[] = [];
  for (let i = 1; i <= n; i++) {
    const w = new Worker({ workerId: `w${i}`, address: `w${i}-addr`, transport: network, clock, processors: { sumSquares }, slots: 5 });
    for (const m of masters) await w.join(m);
    out.push(w);
  }
  return out;
}

function finished(m: Master, id: string): () => InstanceView | undefined {
  let done: InstanceView | undefined;
  void m.waitFor(id).then((v) => { done = v; });
  return () => done;
}

function expectExact(v: InstanceView): void {
  expect(v.status).toBe("SUCCESS");
  expect(v.result).toEqual({ sum: sumOfSquares(N), count: N });
  expect(v.progress!.names.NUM).toEqual({ total: N, init: 0, pulled: 0, running: 0, success: N, failed: 0 });
  expect(v.progress!.names.RANGE).toEqual({ total: 6, init: 0, pulled: 0, running: 0, success: 6, failed: 0 });
  expect(v.progress!.names.ROOT).toMatchObject({ total: 1, success: 1 });
}

/**
 * Two started shared masters, A and B, on one memory store and network, and
 * two workers serving both. A runs on `clockA` (default: the shared clock),
 * so a test can freeze it alone.
 */
async function twoMasters(clockA?: ManualClock) {
  const store = new MemoryStore();
  const clock = new ManualClock(1_000_000);
  const network = new InProcessNetwork(clock);
  const a = node("master-a", store, network, clockA ?? clock);
  const b = node("master-b", store, network, clock);
  await a.master.start();
  await b.master.start();
  const ws = await workers(network, clock, ["master-a", "master-b"]);
  return { store, clock, network, a, b, ws };
}

describe("X3 several masters on one store (in process)", () => {
  it("X3: a live master keeps its instance through many lease periods; the other master never takes it", async () => {
    const { store, clock, a, b, ws } = await twoMasters();
    // Slow enough to outlive three leases.
    const id = await a.master.submit({ processor: "sumSquares", params: { n: N, ranges: 6 }, settings: { ...SETTINGS, dispatchSpeed: "120/s" } });
    expect((await store.getInstance(id))!.leaseUntil).toBe(clock.now() + LEASE.leaseMs);
    const done = finished(b.master, id); // B's API may be asked too: it waits on the store
    await clock.until(() => done() !== undefined);
    expect(clock.now() - 1_000_000).toBeGreaterThan(3 * LEASE.leaseMs);
    expectExact(done()!);
    expect(b.master.ownership().takenOver).toBe(0);
    expect(a.events).toEqual([]);
    expect((await store.getInstance(id))!.owner).toBe("master-a");
    for (const n of [a, b]) { n.master.close(); n.own.close(); }
    for (const w of ws) w.close();
  });

  it("X3: the owner dies mid-instance; the other master takes it within leaseMs + takeoverMs, rebuilds counters from the store and finishes it exactly", async () => {
    const { store, clock, network, a, b, ws } = await twoMasters();
    const id = await a.master.submit({ processor: "sumSquares", params: { n: N, ranges: 6 }, settings: SETTINGS });
    await clock.advance(3000);
    const mid = a.master.progress(id)!;
    expect(mid.names.NUM!.success).toBeGreaterThan(0);
    expect(mid.names.NUM!.success).toBeLessThan(N);

    // A dies: no more renewals, no answers.
    a.master.close();
    a.own.close();
    network.fault("master-a", "refused");
    const diedAt = clock.now();
    await clock.until(() => b.master.running().includes(id));
    expect(clock.now() - diedAt).toBeLessThanOrEqual(LEASE.leaseMs + LEASE.takeoverMs);
    expect(b.events).toEqual([{ event: "instance-taken-over", instanceId: id, from: "master-a", token: 2 }]);
    const rebuilt = b.master.progress(id)!;
    const stored = await store.countByStatus(id);
    expect(rebuilt.names.NUM!.success).toBe(stored.find((c) => c.name === "NUM" && c.status === 4)?.count ?? 0);
    for (const n of Object.values(rebuilt.names)) expect(n.total).toBe(n.init + n.pulled + n.running + n.success + n.failed);

    const done = finished(b.master, id);
    await clock.until(() => done() !== undefined);
    expectExact(done()!);
    const rec = (await store.getInstance(id))!;
    expect([rec.owner, rec.fence, rec.status]).toEqual(["master-b", 2, "SUCCESS"]);
    b.master.close();
    b.own.close();
    for (const w of ws) w.close();
  });

  it("X3: a master frozen past its lease (as SIGSTOP) is taken over; when it wakes up the store refuses its writes, it gives the instance up, and the instance finishes exactly under the new owner", async () => {
    const clockA = new ManualClock(1_000_000);
    const { store, clock, network, a, b, ws } = await twoMasters(clockA);
    const id = await a.master.submit({ processor: "sumSquares", params: { n: N, ranges: 6 }, settings: SETTINGS });
    // Both clocks move together while A lives.
    for (let t = 0; t < 3000; t += 50) {
      await clockA.advance(50);
      await clock.advance(50);
    }
    expect(a.master.progress(id)!.names.NUM!.success).toBeGreaterThan(0);

    // Freeze A: its timers stop, and messages to it hang (a stopped process holds its sockets).
    network.fault("master-a", "hang");
    await clock.until(() => b.master.running().includes(id));
    await clock.advance(500); // B runs the instance for a while
    expect(a.master.running()).toEqual([id]); // A still believes it owns it

    // Wake A up: its overdue timers fire, the hung messages arrive.
    network.fault("master-a", undefined);
    await clockA.advance(clock.now() - clockA.now());
    await clockA.advance(LEASE.renewMs);
    expect(a.master.running()).toEqual([]);
    const deposed = a.events.filter((e) => e.event === "instance-deposed");
    expect(deposed.map((e) => e.instanceId)).toEqual([id]);
    const own = a.master.ownership();
    expect(own.deposedFenced + own.deposedLease).toBe(1);
    expect(own.fencedWrites).toBeGreaterThan(0);
    expect(a.events.some((e) => e.event === "write-fenced" && e.instanceId === id && e.current === 2)).toBe(true);

    const done = finished(b.master, id);
    await clock.until(() => done() !== undefined);
    expectExact(done()!);
    const rec = (await store.getInstance(id))!;
    expect([rec.owner, rec.fence, rec.status]).toEqual(["master-b", 2, "SUCCESS"]);
    for (const n of [a, b]) { n.master.close(); n.own.close(); }
    for (const w of ws) w.close();
  });

  it("X3: a master that cannot renew for a whole lease (the store is unreachable) stops its instances; once the store is back a master takes them over", async () => {
    const base = new MemoryStore();
    let down = false;
    // The store as master A sees it: renewals fail while `down`.
    const flaky = new Proxy(base, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (prop === "renewLeases") {
          return (owner: string, fences: readonly Fence[], lease: LeaseTerms) =>
            down ? Promise.reject(new Error("connection refused")) : target.renewLeases(owner, fences, lease);
        }
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const clock = new ManualClock(1_000_000);
    const network = new InProcessNetwork(clock);
    const a = node("master-a", flaky, network, clock);
    await a.master.start();
    const ws = await workers(network, clock, ["master-a"]);
    const id = await a.master.submit({ processor: "sumSquares", params: { n: N, ranges: 6 }, settings: SETTINGS });
    await clock.advance(1500);
    down = true;
    const downAt = clock.now();
    await clock.until(() => a.master.running().length === 0);
    expect(clock.now() - downAt).toBeLessThanOrEqual(LEASE.leaseMs + LEASE.renewMs);
    expect(a.events[0]).toMatchObject({ event: "instance-deposed", instanceId: id });
    expect((a.events[0] as { reason: string }).reason).toMatch(/could not renew leases for 3000 ms: connection refused/);
    // The store comes back: A's own scan takes the instance over again (a new token) and finishes it.
    down = false;
    const done = finished(a.master, id);
    await clock.until(() => done() !== undefined);
    expectExact(done()!);
    expect((await base.getInstance(id))!.fence).toBe(2);
    a.master.close();
    a.own.close();
    for (const w of ws) w.close();
  });

  it("X3: a shared master's graceful shutdown ends its leases, so another master takes over at its next scan, not after the lease", async () => {
    const { clock, a, b, ws } = await twoMasters();
    const id = await a.master.submit({ processor: "sumSquares", params: { n: N, ranges: 6 }, settings: SETTINGS });
    await clock.advance(1000);
    await a.master.shutdown();
    a.own.close();
    const at = clock.now();
    await clock.until(() => b.master.running().includes(id));
    expect(clock.now() - at).toBeLessThanOrEqual(LEASE.takeoverMs);
    const done = finished(b.master, id);
    await clock.until(() => done() !== undefined);
    expectExact(done()!);
    b.master.close();
    b.own.close();
    for (const w of ws) w.close();
  });

  it("X3: a shared master leaves instances of processors it has not loaded to masters that have them", async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(1_000_000);
    const network = new InProcessNetwork(clock);
    const fence = await store.createInstance({ instanceId: "other", processor: "notHere", settings: {}, params: null, serialNum: 1, createdAt: 1 }, "gone", { now: 0, leaseMs: 10 });
    const b = node("master-b", store, network, clock);
    await b.master.start();
    await clock.advance(5 * LEASE.takeoverMs);
    expect(b.master.running()).toEqual([]);
    const rec = (await store.getInstance("other"))!;
    expect([rec.owner, rec.fence, rec.status]).toEqual(["gone", fence.token, "RUNNING"]);
    b.master.close();
    b.own.close();
  });

  it("X3: a recurring instance taken over between two cycles runs its next cycles on the new owner, up to maxCycles", async () => {
    const { store, clock, network, a, b, ws } = await twoMasters();
    const id = await a.master.submit({ processor: "sumSquares", params: { n: 30, ranges: 3 }, settings: { every: "20s", maxCycles: 3, execOnMaster: false } });
    // Cycle 1 ends well before the next one is due: A dies in between.
    await clock.until(() => a.master.progress(id)?.result !== null && a.master.progress(id)?.serialNum === 1);
    expect((await store.getInstance(id))!.status).toBe("RUNNING");
    a.master.close();
    a.own.close();
    network.fault("master-a", "refused");
    const done = finished(b.master, id);
    await clock.until(() => done() !== undefined);
    const v = done()!;
    expect([v.status, v.serialNum]).toEqual(["SUCCESS", 3]);
    expect(v.result).toEqual({ sum: sumOfSquares(30), count: 30 });
    expect(v.progress!.names.NUM).toEqual({ total: 30, init: 0, pulled: 0, running: 0, success: 30, failed: 0 });
    expect((await store.getInstance(id))!.owner).toBe("master-b");
    b.master.close();
    b.own.close();
    for (const w of ws) w.close();
  });

  it("shared lease settings are checked: 'Expected X, got Y' naming the field", () => {
    expect(resolveLeaseSettings(true)).toEqual({ leaseMs: 10_000, renewMs: 3333, takeoverMs: 3333 });
    expect(resolveLeaseSettings({ leaseMs: 3000 })).toEqual({ leaseMs: 3000, renewMs: 1000, takeoverMs: 1000 });
    expect(() => resolveLeaseSettings({ leaseMs: 10 })).toThrow("shared.leaseMs: Expected an integer >= 30, got 10");
    expect(() => resolveLeaseSettings({ leaseMs: 3000, renewMs: 3000 })).toThrow("shared.renewMs: Expected an integer from 1 to 2999, got 3000");
    expect(() => resolveLeaseSettings({ takeoverMs: 0 })).toThrow("shared.takeoverMs: Expected an integer >= 1, got 0");
    expect(() => resolveLeaseSettings({ leaseMS: 5 } as never)).toThrow("shared.leaseMS: Expected no such setting (leaseMs, renewMs, takeoverMs), got 5");
    const clock = new ManualClock();
    const own = new Worker({ workerId: "o", address: "m/worker", transport: new InProcessNetwork(clock), clock, processors: {} });
    expect(() => new Master({ store: new MemoryStore(), transport: new InProcessNetwork(clock), clock, address: "m", ownWorker: own, shared: "yes" as never }))
      .toThrow("shared: Expected a boolean or an object { leaseMs, renewMs, takeoverMs }, got \"yes\"");
    own.close();
  });
});
