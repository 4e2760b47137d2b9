// B32: one ctx.map call of many bodies goes to the master in pages, each
// stored once under its children's derived ids, whatever is resent.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { recordRequests, instrumentStore } from "./recording.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { defineMapReduce, type JsonValue } from "../../src/index.ts";
import { TransportError } from "../../src/protocol/transport.ts";
import { mapPages } from "../../src/worker/map-pages.ts";

const N = 12_000;

/** ROOT maps N numbers in one call; each LEAF returns its number; reduce sums them and counts LEAF results. */
const fanOut = defineMapReduce({
  async process(ctx) {
    if (ctx.isRoot) {
      await ctx.map(Array.from({ length: N }, (_, i) => i), "LEAF");
      return { ok: true };
    }
    return { ok: true, result: ctx.body };
  },
  async reduce(ctx) {
    let sum = 0, count = 0;
    for await (const r of ctx.results) if (r.name === "LEAF") { sum += r.result as number; count++; }
    return { ok: true, result: { sum, count } };
  },
});

const expected = { sum: (N * (N - 1)) / 2, count: N };

describe("B32 map in pages", () => {
  it("B32: a call of 12,000 bodies goes in pages of 5,000; every child is stored once, under ids counted across the pages", async () => {
    const c = await new Cluster({ processors: { fanOut }, workers: 1 }).start();
    const rec = recordRequests(c.network, c.workers);
    const v = await c.run("fanOut", null, { queueSize: 1000, execOnMaster: true, retainTasks: "all" });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual(expected);
    const pages = rec.ofType("map").map((s) => [s.msg.first, s.msg.bodies.length]);
    expect(pages).toEqual([[0, 5000], [5000, 5000], [10_000, 2000]]);
    const counts = await c.store.countByStatus(v.instanceId);
    const leaves = counts.filter((x) => x.name === "LEAF").reduce((a, x) => a + x.count, 0);
    expect(leaves).toBe(N);
    c.close();
  });

  it("B32: a page whose reply is lost is sent again and stored once", async () => {
    const c = await new Cluster({ processors: { fanOut }, workers: 1 }).start();
    const net = c.network;
    const original = net.request.bind(net);
    let lost = 0;
    net.request = (async (to: string, msg: Parameters<typeof original>[1], opts?: { timeoutMs?: number }) => {
      const reply = await original(to, msg, opts);
      // The master stored the second page, but its answer never reaches the worker.
      if (msg.type === "map" && msg.first === 5000 && lost === 0) { lost++; throw new TransportError("refused", to, "reply lost"); }
      return reply;
    }) as typeof net.request;
    const rec = recordRequests(net);
    const v = await c.run("fanOut", null, { queueSize: 1000, execOnMaster: true, retainTasks: "all" });
    expect(lost).toBe(1);
    expect(rec.ofType("map").map((s) => s.msg.first)).toEqual([0, 5000, 5000, 10_000]);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual(expected);
    const rows = await c.store.countByStatus(v.instanceId);
    expect(rows.filter((x) => x.name === "LEAF").reduce((a, x) => a + x.count, 0)).toBe(N);
    expect(c.master.progress(v.instanceId)).toBeNull();
    c.close();
  });

  it("B32: a batch of 12,000 bodies in one request (a worker with large pages) is still written in pages of 5,000", async () => {
    const { store, calls } = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { fanOut }, workers: 1, store, workerOptions: { mapPageSize: 20_000, mapPageBytes: 2 ** 24 } }).start();
    const rec = recordRequests(c.network, c.workers);
    const v = await c.run("fanOut", null, { queueSize: 1000, execOnMaster: true });
    expect(rec.ofType("map").map((s) => s.msg.bodies.length)).toEqual([N]);
    // ROOT's own row, then the three pages of the one batch.
    expect(calls.get("insertTasks")).toBe(4);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual(expected);
    c.close();
  });

  it("B32: pages hold at most the count and about the bytes asked, a body larger than a page alone", () => {
    const big = "x".repeat(3000);
    const bodies: JsonValue[] = [1, 2, big, 3, "y".repeat(600), "z".repeat(600), 4];
    const pages = [...mapPages(bodies, 3, 1024)].map((p) => [p.first, p.bodies.length]);
    expect(pages).toEqual([[0, 2], [2, 1], [3, 2], [5, 2]]);
    expect([...mapPages([], 10, 1024)]).toEqual([{ first: 0, bodies: [] }]);
    expect([...mapPages(Array.from({ length: 7 }, (_, i) => i), 3, 1 << 20)].map((p) => p.first)).toEqual([0, 3, 6]);
  });
});
