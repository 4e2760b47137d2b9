// H7-H9: what a master holds for its users is bounded — running instances, open event
// streams — and a watcher who leaves takes everything it held with it.
import { describe, it, expect, afterEach } from "vitest";
import { startHttpCluster } from "./cluster.ts";
import { Gate, gated } from "../master/processors.ts";
import { ManualClock } from "../../src/runtime/clock.ts";
import { Master, Worker, MemoryStore } from "../../src/index.ts";
import { InProcessNetwork } from "../../src/protocol/in-process.ts";
import { TooManyInstancesError } from "../../src/master/errors.ts";
import { poll } from "../processes.ts";

let stops: Array<() => Promise<void>> = [];
const gates: Gate[] = [];
afterEach(async () => {
  for (const g of gates.splice(0)) g.open();
  for (const s of stops.splice(0)) await s();
});

async function cluster(o: Omit<Parameters<typeof startHttpCluster>[0], "workers" | "processors"> = {}) {
  const gate = new Gate();
  gates.push(gate);
  const c = await startHttpCluster({ workers: 0, processors: { job: gated(gate) }, ...o });
  stops.push(c.stop);
  return { ...c, gate };
}

const json = { "content-type": "application/json" };
const submit = (base: string) => fetch(`${base}/api/instances`, { method: "POST", headers: json, body: JSON.stringify({ processor: "job", params: { n: 1 } }) });

/** An open event stream: what it received so far, and a way to leave. */
async function watch(base: string, id: string) {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/instances/${id}/events`, { signal: ac.signal });
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = "";
  return {
    res,
    /** Reads until `pred(text)` holds; the text received so far. */
    async until(pred: (t: string) => boolean): Promise<string> {
      while (!pred(text)) {
        const { done, value } = await reader.read();
        if (done) break;
        text += dec.decode(value, { stream: true });
      }
      return text;
    },
    leave: () => ac.abort(),
  };
}

describe("H7 a cap on running instances", () => {
  it("H7: a submit past --max-instances gets 429 with Retry-After naming maxRunningInstances and creates nothing; once one ends, a submit is taken again", async () => {
    const c = await cluster({ maxRunningInstances: 2 });
    const a = ((await (await submit(c.base)).json()) as { instanceId: string }).instanceId;
    expect((await submit(c.base)).status).toBe(201);
    const refused = await submit(c.base);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(await refused.json()).toEqual({
      error: "maxRunningInstances: Expected fewer than 2 instances running on this master (its cap, --max-instances), got 2; submit again once one ends",
      field: "maxRunningInstances",
    });
    expect((await c.master.list()).length).toBe(2);
    await c.master.kill(a);
    await c.master.waitFor(a);
    expect((await submit(c.base)).status).toBe(201);
  });

  it("H7: instances resumed at start are never refused, but count: a master restarted with a lower cap runs them all and refuses new submits", async () => {
    const clock = new ManualClock(1_000_000);
    const network = new InProcessNetwork(clock);
    const store = new MemoryStore();
    const gate = new Gate();
    gates.push(gate);
    const processors = { job: gated(gate) };
    const start = async (cap: number, name: string) => {
      const own = new Worker({ workerId: `${name}-own`, address: `${name}/worker`, transport: network, clock, processors });
      const master = new Master({ store, transport: network, clock, address: name, ownWorker: own, maxRunningInstances: cap });
      await master.start();
      return { master, own };
    };
    const first = await start(3, "m1");
    for (let i = 0; i < 3; i++) await first.master.submit({ processor: "job", params: { n: 1 } });
    await expect(first.master.submit({ processor: "job", params: { n: 1 } })).rejects.toBeInstanceOf(TooManyInstancesError);
    first.master.close();
    first.own.close();
    const second = await start(2, "m2");
    expect(second.master.running().length).toBe(3);
    await expect(second.master.submit({ processor: "job", params: { n: 1 } })).rejects.toThrow(/^maxRunningInstances: Expected fewer than 2 instances/);
    second.master.close();
    second.own.close();
  });

  it("H7: maxRunningInstances is validated", () => {
    const clock = new ManualClock(0);
    const network = new InProcessNetwork(clock);
    const own = new Worker({ workerId: "own", address: "m/worker", transport: network, clock, processors: {} });
    expect(() => new Master({ store: new MemoryStore(), transport: network, clock, address: "m", ownWorker: own, maxRunningInstances: 0 }))
      .toThrow("maxRunningInstances: Expected an integer >= 1, got 0");
  });
});

describe("H8 event streams are capped and kept alive", () => {
  it("H8: past maxEventStreams a watch gets 429 with Retry-After naming events; a stream that ends frees its place", async () => {
    const c = await cluster({ api: { maxEventStreams: 2 } });
    const id = await c.master.submit({ processor: "job", params: { n: 1 } });
    const s1 = await watch(c.base, id);
    const s2 = await watch(c.base, id);
    await s1.until((t) => t.includes("event: progress"));
    await s2.until((t) => t.includes("event: progress"));
    const third = await fetch(`${c.base}/api/instances/${id}/events`);
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("5");
    expect(await third.json()).toEqual({ error: "events: Expected fewer than 2 open event streams on this master (its cap, maxEventStreams), got 2; watch again later", field: "events" });
    s1.leave();
    const s3 = await poll(async () => {
      const s = await watch(c.base, id);
      if (s.res.status === 200) return s;
      await s.res.body?.cancel();
      return undefined;
    }, 10_000, 20);
    await s3.until((t) => t.includes("event: progress"));
    s2.leave();
    s3.leave();
  });

  it("H8: an idle stream gets a ': keepalive' comment every 15 s of its clock, and still ends with done", async () => {
    const clock = new ManualClock(0);
    const c = await cluster({ api: { clock } });
    const id = await c.master.submit({ processor: "job", params: { n: 1 } });
    const s = await watch(c.base, id);
    await s.until((t) => t.includes("event: progress"));
    // The stream follows the instance (and its keepalive is armed) once its listener is in.
    await poll(async () => (c.master.listenerCounts().watchers === 1 ? true : undefined), 10_000, 5);
    await clock.advance(14_999);
    await clock.advance(1);
    expect(await s.until((t) => t.includes(": keepalive\n\n"))).toMatch(/^event: progress\n/);
    await clock.advance(15_000);
    const text = await s.until((t) => t.split(": keepalive\n\n").length === 3);
    expect(text.split(": keepalive\n\n").length).toBe(3);
    await poll(async () => (c.gate.waiting.length > 0 ? true : undefined), 10_000, 10);
    c.gate.open();
    expect(await s.until((t) => t.includes("event: done"))).toMatch(/event: done\ndata: \{"instanceId":/);
  });
});

describe("H9 a watcher who leaves leaves nothing behind", () => {
  it("H9: 50 event streams opened and left on a running instance: the master's completion waiters and progress listeners return to where they were", async () => {
    const c = await cluster();
    const id = await c.master.submit({ processor: "job", params: { n: 1 } });
    const before = c.master.listenerCounts();
    expect(before).toEqual({ waiters: 0, watchers: 0 });
    for (let i = 0; i < 50; i++) {
      const s = await watch(c.base, id);
      await s.until((t) => t.includes("event: progress"));
      s.leave();
    }
    const after = await poll(async () => {
      const n = c.master.listenerCounts();
      return n.waiters === 0 && n.watchers === 0 ? n : undefined;
    }, 10_000, 20);
    expect(after).toEqual(before);
    // A watcher who stays is answered as before.
    const s = await watch(c.base, id);
    await s.until((t) => t.includes("event: progress"));
    expect(await poll(async () => {
      const n = c.master.listenerCounts();
      return n.waiters === 1 && n.watchers === 1 ? n : undefined;
    }, 10_000, 5)).toEqual({ waiters: 1, watchers: 1 });
    await poll(async () => (c.gate.waiting.length > 0 ? true : undefined), 10_000, 10);
    c.gate.open();
    await s.until((t) => t.includes("event: done"));
    await poll(async () => (c.master.listenerCounts().waiters === 0 ? true : undefined), 10_000, 10);
  });

  it("H9: waitFor with an aborted signal rejects and forgets its waiter", async () => {
    const c = await cluster();
    const id = await c.master.submit({ processor: "job", params: { n: 1 } });
    const ac = new AbortController();
    const w = c.master.waitFor(id, { signal: ac.signal });
    await poll(async () => (c.master.listenerCounts().waiters === 1 ? true : undefined), 10_000, 5);
    ac.abort(new Error("left"));
    await expect(w).rejects.toThrow("left");
    expect(c.master.listenerCounts().waiters).toBe(0);
  });
});
