/**
 * PortTransport under Node (whose MessageChannel is the browser's): the same
 * message semantics as the in-process transport, faults for the simulation,
 * and a real job between a master and workers that only share ports.
 */
import { afterEach, describe, expect, test } from "vitest";
import { PortTransport } from "../../adapters/browser/port-transport.ts";
import { Master, MemoryStore, RealClock, Worker } from "../../src/index.ts";
import type { MasterMessage, Message } from "../../src/protocol/messages.ts";
import { TransportError } from "../../src/protocol/transport.ts";
import { sumOfSquares, sumSquares } from "../master/processors.ts";

const clock = new RealClock();
const heartbeat = (workerId = "w1"): Message => ({
  type: "heartbeat", worker: { workerId, incarnation: 1, secret: "0123456789abcdef0123456789abcdef" }, load: { freeSlots: 2, cpuFree: null, memFree: null }, instances: [],
});

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

/** A page transport serving "master" and a worker transport, joined by one MessageChannel. */
function pair(handler: (m: MasterMessage) => Promise<unknown>) {
  const ch = new MessageChannel();
  const page = new PortTransport(clock);
  const worker = new PortTransport(clock, { timeoutMs: 200 });
  cleanups.push(page.serve("master", "master", handler as never));
  page.connect("w1", ch.port1);
  worker.connect("master", ch.port2);
  cleanups.push(() => { page.disconnect("w1"); worker.disconnect("master"); });
  return { page, worker, ch };
}

describe("PortTransport", () => {
  test("P1: a request crosses as JSON, is validated on arrival, and its reply comes back", async () => {
    const seen: unknown[] = [];
    const { worker } = pair(async (m) => {
      seen.push(m);
      return { ok: true, at: new Date(5), gone: undefined };
    });
    const reply = await worker.request("master", heartbeat());
    expect(seen).toEqual([heartbeat()]);
    // Through JSON: a Date becomes its ISO text, undefined fields vanish.
    expect(reply).toEqual({ ok: true, at: "1970-01-01T00:00:00.005Z" });
  });

  test("P2: a malformed message is refused with bad_request naming the field; the handler never sees it", async () => {
    let calls = 0;
    const { worker } = pair(async () => { calls++; return { ok: true }; });
    const bad = { ...heartbeat(), worker: { workerId: "", incarnation: 1, secret: "0123456789abcdef0123456789abcdef" } } as Message;
    const reply = await worker.request("master", bad);
    expect(reply).toMatchObject({ ok: false, code: "bad_request", field: "worker.workerId" });
    expect(calls).toBe(0);
  });

  test("P3: an address with no route, or not served at the far end, is refused", async () => {
    const { worker, page, ch } = pair(async () => ({ ok: true }));
    await expect(worker.request("elsewhere", heartbeat())).rejects.toMatchObject({ name: "TransportError", failure: "refused" });
    // "w9" routed through the same port, but nobody serves it on the worker side.
    page.connect("w9", ch.port1);
    await expect(page.request("w9", { type: "destroyPool", master: "master", credential: "0123456789abcdef0123456789abcdef", instanceId: "i" })).rejects.toMatchObject({ failure: "refused" });
  });

  test("P4: a handler that throws is a server error", async () => {
    const { worker } = pair(async () => { throw new Error("boom"); });
    const e = await worker.request("master", heartbeat()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TransportError);
    expect(e).toMatchObject({ failure: "server", message: "server from master: boom" });
  });

  test("P5: a dropped link loses frames both ways (requests time out); healing it restores delivery", async () => {
    let calls = 0;
    const { worker, page } = pair(async () => { calls++; return { ok: true }; });
    page.fault("w1", "drop");
    await expect(worker.request("master", heartbeat(), { timeoutMs: 100 })).rejects.toMatchObject({ failure: "timeout" });
    expect(calls).toBe(0);
    page.fault("w1", undefined);
    expect(await worker.request("master", heartbeat())).toEqual({ ok: true });
  });

  test("P6: disconnecting a peer refuses its waiting requests at once, and later ones", async () => {
    const ch = new MessageChannel();
    const page = new PortTransport(clock);
    page.connect("w1", ch.port1);
    ch.port2.start(); // nobody answers on the far side
    cleanups.push(() => ch.port2.close());
    const waiting = page.request("w1", { type: "destroyPool", master: "master", credential: "0123456789abcdef0123456789abcdef", instanceId: "i" }, { timeoutMs: 10_000 });
    const t0 = Date.now();
    page.disconnect("w1");
    await expect(waiting).rejects.toMatchObject({ failure: "refused" });
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(page.request("w1", { type: "destroyPool", master: "master", credential: "0123456789abcdef0123456789abcdef", instanceId: "i" })).rejects.toMatchObject({ failure: "refused" });
  });

  test("P7: a master and two workers that share only MessagePorts run a two-level MapReduce to SUCCESS with exact counters", async () => {
    const net = new PortTransport(clock);
    const processors = { sumSquares };
    const own = new Worker({ workerId: "master", address: "master/worker", transport: net, clock, processors });
    const master = new Master({ store: new MemoryStore(), transport: net, clock, address: "master", ownWorker: own });
    await master.start();
    const workers = ["w1", "w2"].map((id) => {
      const ch = new MessageChannel();
      const t = new PortTransport(clock);
      net.connect(id, ch.port1);
      t.connect("master", ch.port2);
      cleanups.push(() => { net.disconnect(id); t.disconnect("master"); });
      return new Worker({ workerId: id, address: id, transport: t, clock, processors });
    });
    cleanups.push(() => { for (const w of workers) w.close(); master.close(); own.close(); });
    for (const w of workers) await w.join("master");
    const id = await master.submit({ processor: "sumSquares", params: { n: 2000, ranges: 8 }, settings: { pageSize: 100 } });
    const done = await master.waitFor(id);
    expect(done.status).toBe("SUCCESS");
    expect(done.result).toEqual({ sum: sumOfSquares(2000), count: 2000 });
    expect(done.progress?.names["NUM"]).toMatchObject({ total: 2000, success: 2000, failed: 0 });
    const byWorker = done.progress?.workers ?? {};
    const ran = Object.entries(byWorker).filter(([k]) => k.startsWith("w")).map(([, w]) => w.success);
    expect(ran.length).toBe(2);
    expect(ran.every((n) => n > 0)).toBe(true);
  });
});
