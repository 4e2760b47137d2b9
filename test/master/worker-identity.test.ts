// H18, H19 in process: a worker with several masters keeps each one's credential and obeys
// each under its own name, through a takeover; and after a master restart it learns the new
// master's credential by registering again, and the old one's no longer commands it.
import { describe, it, expect } from "vitest";
import { ManualClock } from "../../src/runtime/clock.ts";
import { InProcessNetwork } from "../../src/protocol/in-process.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import type { Message, StartBatch } from "../../src/protocol/messages.ts";
import type { Reply } from "../../src/protocol/replies.ts";
import type { TaskStore } from "../../src/store/task-store.ts";
import { Master, type InstanceView } from "../../src/master/index.ts";
import { Worker } from "../../src/worker/index.ts";
import { sumSquares, sumOfSquares } from "./processors.ts";
import { perWorker } from "./per-worker.ts";

const LEASE = { leaseMs: 3000, renewMs: 1000, takeoverMs: 500 };
const SETTINGS = { dispatchSpeed: "300/s", pageSize: 20, livenessTimeoutMs: 2000, execOnMaster: false };
const N = 1500;

/** Every request through `net` with the reply it got (undefined: it failed or is under way). */
function recordExchanges(net: InProcessNetwork) {
  const log: Array<{ to: string; msg: Message; reply?: Reply }> = [];
  const original = net.request.bind(net);
  net.request = (async (to: string, msg: Message, opts?: { timeoutMs?: number }) => {
    const entry: { to: string; msg: Message; reply?: Reply } = { to, msg: JSON.parse(JSON.stringify(msg)) as Message };
    log.push(entry);
    const reply = await original(to, msg, opts);
    entry.reply = reply;
    return reply;
  }) as typeof net.request;
  return {
    log,
    /** Start batches a master sent to `to`, with their replies. */
    starts: (to: string, master: string) => log.filter((e) => e.to === to && e.msg.type === "start" && e.msg.master === master) as Array<{ msg: StartBatch; reply?: Reply }>,
  };
}

/** A master at `address` (shared when `shared`), its own worker, on `store`. */
function master(address: string, store: TaskStore, network: InProcessNetwork, clock: ManualClock, shared: boolean) {
  const own = new Worker({ workerId: `${address}-own`, address: `${address}/worker`, transport: network, clock, processors: { sumSquares } });
  const m = new Master({ store, transport: network, clock, address, ownWorker: own, requestTimeoutMs: 2000, shared: shared ? LEASE : false, masterId: `${address}@${clock.now()}` });
  return { master: m, own };
}

/** Runs the clock until `m` has ended instance `id`; returns it. */
async function toTheEnd(m: Master, clock: ManualClock, id: string): Promise<InstanceView> {
  let done: InstanceView | undefined;
  void m.waitFor(id).then((v) => { done = v; });
  await clock.until(() => done !== undefined);
  return done!;
}

describe("H18-H19 a worker's masters", () => {
  it("H18: a worker joined to two masters obeys each under its own name and credential, not one's credential under the other's name, and takes a new owner's batches after a takeover", async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(1_000_000);
    const network = new InProcessNetwork(clock);
    const rec = recordExchanges(network);
    const a = master("master-a", store, network, clock, true);
    const b = master("master-b", store, network, clock, true);
    await a.master.start();
    await b.master.start();
    const w = new Worker({ workerId: "w1", address: "w1-addr", transport: network, clock, processors: { sumSquares }, slots: 5 });
    await w.join("master-a");
    await w.join("master-b");

    // Both masters run a job on it at once.
    const idA = await a.master.submit({ processor: "sumSquares", params: { n: N, ranges: 6 }, settings: SETTINGS });
    const idB = await b.master.submit({ processor: "sumSquares", params: { n: 300, ranges: 3 }, settings: SETTINGS });
    expect((await toTheEnd(b.master, clock, idB)).result).toEqual({ sum: sumOfSquares(300), count: 300 });
    const fromA = rec.starts("w1-addr", "master-a"), fromB = rec.starts("w1-addr", "master-b");
    expect(fromA.length).toBeGreaterThan(0);
    expect(fromB.length).toBeGreaterThan(0);
    for (const s of [...fromA, ...fromB]) expect(s.reply).toMatchObject({ ok: true });
    const credA = fromA[0]!.msg.credential, credB = fromB[0]!.msg.credential;
    expect(credA).not.toBe(credB);
    // A's credential under B's name (and the reverse) commands nothing.
    for (const [name, credential] of [["master-b", credA], ["master-a", credB]]) {
      const r = await network.request("w1-addr", { type: "killInstance", master: name!, credential: credential!, instanceId: idA, reason: "crossed" });
      expect(r).toMatchObject({ ok: false, code: "forbidden", field: "credential" });
    }
    const mid = a.master.progress(idA)!;
    expect(mid.names.NUM!.success).toBeGreaterThan(0);
    expect(mid.names.NUM!.success).toBeLessThan(N);

    // A dies mid-instance; B takes it over and hands its tasks to the worker under B's credential.
    a.master.close();
    a.own.close();
    network.fault("master-a", "refused");
    await clock.until(() => b.master.running().includes(idA));
    const before = rec.starts("w1-addr", "master-b").length;
    const doneA = await toTheEnd(b.master, clock, idA);
    expect(doneA.result).toEqual({ sum: sumOfSquares(N), count: N });
    expect(doneA.progress!.names.NUM).toMatchObject({ total: N, success: N, failed: 0 });
    const takenOver = rec.starts("w1-addr", "master-b").slice(before).filter((s) => s.msg.instance.instanceId === idA);
    expect(takenOver.length).toBeGreaterThan(0);
    for (const s of takenOver) expect(s.reply).toMatchObject({ ok: true });
    expect(perWorker(doneA.progress!).w1).toBeGreaterThan(0);
    b.master.close();
    b.own.close();
    w.close();
  });

  it("H19: after its master restarts (a new credential), a worker registers again, takes the new master's batches, and refuses the old master's credential", async () => {
    const store = new MemoryStore();
    const clock = new ManualClock(1_000_000);
    const network = new InProcessNetwork(clock);
    const rec = recordExchanges(network);
    const first = master("master", store, network, clock, false);
    await first.master.start();
    const w = new Worker({ workerId: "w1", address: "w1-addr", transport: network, clock, processors: { sumSquares }, slots: 5, heartbeatMs: 500 });
    await w.join("master");
    const id1 = await first.master.submit({ processor: "sumSquares", params: { n: 100, ranges: 2 }, settings: SETTINGS });
    await toTheEnd(first.master, clock, id1);
    const oldCredential = rec.starts("w1-addr", "master")[0]!.msg.credential;

    // The master process restarts at the same address: a new Master, a new credential.
    first.master.close();
    first.own.close();
    const second = master("master", store, network, clock, false);
    await second.master.start();
    const registered = () => rec.log.filter((e) => e.msg.type === "register" && e.msg.workerId === "w1" && e.reply?.ok).length;
    await clock.until(() => registered() === 2);
    const before = rec.starts("w1-addr", "master").length;
    const id2 = await second.master.submit({ processor: "sumSquares", params: { n: 100, ranges: 2 }, settings: SETTINGS });
    const done2 = await toTheEnd(second.master, clock, id2);
    expect(done2.result).toEqual({ sum: sumOfSquares(100), count: 100 });
    const after = rec.starts("w1-addr", "master").slice(before);
    expect(after.length).toBeGreaterThan(0);
    for (const s of after) {
      expect(s.msg.credential).not.toBe(oldCredential);
      expect(s.reply).toMatchObject({ ok: true });
    }
    expect(perWorker(done2.progress!).w1).toBeGreaterThan(0);
    // The old master's credential, under the same address, no longer commands the worker.
    const r = await network.request("w1-addr", { type: "destroyPool", master: "master", credential: oldCredential, instanceId: id2 });
    expect(r).toMatchObject({ ok: false, code: "forbidden" });
    second.master.close();
    second.own.close();
    w.close();
  });
});
