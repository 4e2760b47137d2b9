// A large queueSize costs memory only as the queue fills (B31): the core's
// queue and task table, and the master's per-slot arrays, grow in steps.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { defineMap, createWasmCore } from "../../src/index.ts";
import type { Core } from "../../src/core/index.ts";
import { heapAfterGc } from "../heap.ts";

/** Heap after GC plus memory outside it (typed arrays, and the cores' WebAssembly memories, which `external` counts). */
function memoryInUse(): number {
  return heapAfterGc() + process.memoryUsage().external;
}

describe("B31 queue memory", () => {
  it("B31: ten running instances of queueSize 1,000,000 with a few tasks cost about what ten of queueSize 10,000 do", { timeout: 120_000 }, async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const job = defineMap({
      async process(ctx) {
        if (ctx.isRoot) {
          await ctx.map([1, 2, 3, 4, 5], "CHILD");
          return { ok: true };
        }
        await gate;
        return { ok: true, result: ctx.body };
      },
    });
    const c = await new Cluster({ processors: { job }, workers: 2 }).start();
    /** Submits ten instances; returns the memory they hold once their children all run. */
    const tenRunning = async (queueSize: number): Promise<{ ids: string[]; delta: number }> => {
      const before = memoryInUse();
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push(await c.master.submit({ processor: "job", settings: { queueSize } }));
      await c.clock.until(() => ids.every((id) => c.master.progress(id)?.names.CHILD?.running === 5), 60_000);
      return { ids, delta: memoryInUse() - before };
    };
    const small = await tenRunning(10_000);
    const big = await tenRunning(1_000_000);
    for (const id of [...small.ids, ...big.ids]) expect(c.master.progress(id)?.status).toBe("RUNNING");
    release();
    for (const id of [...small.ids, ...big.ids]) expect((await c.finish(id)).status).toBe("SUCCESS");
    // Allocated whole, each big instance took ~76 MB up front: ten were ~760 MB.
    expect(big.delta).toBeLessThan(2 * small.delta + 8 * 2 ** 20);
    c.close();
  });

  it("B31: a core's grown memory goes with it: dropped, its WebAssembly instance is collected", () => {
    /** A core grown to 400,000 live, queued tasks. */
    const grownCore = (): Core => {
      const core = createWasmCore({ queueCapacity: 1 << 20, tableCapacity: 1 << 20 });
      const n = 400_000;
      core.counters.add(Int32Array.of(0), Int32Array.of(n));
      const hs = new Uint32Array(n);
      expect(core.table.admit(new Int32Array(n), new Int32Array(n), n, hs)).toBe(n);
      expect(core.queue.pushBatch(hs)).toBe(n);
      return core;
    };
    const before = memoryInUse();
    const cores = [grownCore(), grownCore(), grownCore(), grownCore()];
    const grown = memoryInUse() - before;
    // 4 × 400,000 tasks of 21 bytes in the table and 4 in the queue at least.
    expect(grown).toBeGreaterThan(4 * 400_000 * 25);
    cores.length = 0;
    expect(memoryInUse() - before).toBeLessThan(grown / 10);
  });
});
