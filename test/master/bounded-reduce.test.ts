// Bounded reduce (X4): reduce streams results from the store, so the master's heap does
// not grow with the number of results read.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { defineMapReduce } from "../../src/index.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { heapAfterGc } from "../heap.ts";

describe("X4 bounded reduce", () => {
  it("X4: reduce streams 200,000 results from the store; the master's heap does not grow with the results read", { timeout: 180_000 }, async () => {
    const N = 200_000;
    const samples: Record<string, number> = {};
    const make = (retain: boolean) => defineMapReduce({
      async process(ctx) {
        if (ctx.isRoot) {
          for (let from = 0; from < N; from += 1000) await ctx.map(Array.from({ length: 1000 }, (_, i) => from + i), "LEAF");
          return { ok: true };
        }
        return { ok: true, result: { x: ctx.body as number, tag: `leaf-${ctx.body as number}` } };
      },
      async reduce(ctx) {
        const kept: unknown[] = [];
        let sum = 0, n = 0;
        for await (const r of ctx.results) {
          if (r.name !== "LEAF") continue;
          sum += (r.result as { x: number }).x;
          if (retain) kept.push(r);
          n++;
          if (n === N / 10) samples[`${retain}:start`] = heapAfterGc();
          if (n === N - N / 10) samples[`${retain}:end`] = heapAfterGc();
        }
        return { ok: true, result: { sum, n, kept: kept.length } };
      },
    });
    const c = await new Cluster({ processors: { streaming: make(false), hoarding: make(true) }, workers: 1, store: new MemoryStore() }).start();
    const opts = { queueSize: 20_000, pageSize: 1000, consumerSize: 200 };
    const v = await c.run("streaming", null, opts);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: (N * (N - 1)) / 2, n: N, kept: 0 });
    const streamed = samples["false:end"]! - samples["false:start"]!;
    // The same reduce holding every row shows what growth with the results looks like.
    const h = await c.run("hoarding", null, opts);
    expect(h.status).toBe("SUCCESS");
    const hoarded = samples["true:end"]! - samples["true:start"]!;
    expect(hoarded).toBeGreaterThan(20 * 2 ** 20);
    expect(streamed).toBeLessThan(hoarded / 10);
    c.close();
  });
});
