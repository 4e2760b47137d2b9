// The core benchmark runs end to end on a tiny time budget and returns rows
// of the documented shape. It never asserts on speed: that is what
// bench/RESULTS.md is for.
import { describe, it, expect } from "vitest";
import { runCoreBench, coreSuite, type CoreRow } from "../bench/core.ts";
import { formatTable, formatMarkdown } from "../bench/lib/table.ts";

describe("bench: core suite smoke", () => {
  it("runs every op on both engines and returns positive ops/s in [{op, batch, workers?, wasmOpsPerSec, tsOpsPerSec, ratio}]", async () => {
    // In one thread: worker threads need the compiled bench in dist/, and this test runs the sources.
    const { rows, table, notes } = await runCoreBench({ rounds: 1, roundMs: 1, warmupMs: 1, isolate: false, batches: [8, 64], workers: [3, 10] });
    const ops = new Set(rows.map((r) => r.op));
    expect([...ops]).toEqual([
      "queue push+pop", "route round-robin", "route worker-load", "task lifecycle", "requeue + re-assign",
      "limiter take", "baseline: queue.clear call",
    ]);
    // 2 queue + 4 round-robin + 4 worker-load + 2 lifecycle + 2 requeue + limiter + baseline.
    expect(rows).toHaveLength(16);
    for (const r of rows as CoreRow[]) {
      expect(typeof r.op).toBe("string");
      expect(Number.isInteger(r.batch) && r.batch >= 1).toBe(true);
      expect(r.op.startsWith("route") ? typeof r.workers : r.workers).toBe(r.op.startsWith("route") ? "number" : undefined);
      for (const x of [r.wasmOpsPerSec, r.tsOpsPerSec, r.ratio]) expect(Number.isFinite(x) && x > 0).toBe(true);
      // ratio is WASM ÷ twin before the ops/s were rounded to integers: compare within 1 %.
      expect(Math.abs(r.ratio / (r.wasmOpsPerSec / r.tsOpsPerSec) - 1)).toBeLessThan(0.01);
    }
    expect(table).toHaveLength(rows.length + 1);
    expect(formatTable(table).split("\n")).toHaveLength(rows.length + 2);
    expect(formatMarkdown(table)).toContain("| op | batch |");
    expect(notes?.length).toBeGreaterThan(0);
  });

  it("is listed under its name and checks its time budget", async () => {
    expect(coreSuite.name).toBe("core");
    await expect(runCoreBench({ rounds: 0 })).rejects.toThrow("rounds: Expected a number >= 1, got 0");
  });
});
