// The store benchmark runs end to end on 2,000 rows and returns rows of the
// documented shape for every backend and phase. It never asserts on speed:
// that is what bench/RESULTS.md is for.
import { describe, it, expect } from "vitest";
import { runStoreBench, storeSuite, STORE_PHASES, type StoreRow } from "../bench/store.ts";
import { STORE_BACKENDS } from "../bench/store-backends/index.ts";
import { formatTable } from "../bench/lib/table.ts";

describe("bench: store suite smoke", () => {
  it("measures every phase on memory and sqlite and returns positive rows/s in [{backend, phase, rows, batch, rowsPerSec, spread, rounds, target?}]", async () => {
    const backends = STORE_BACKENDS.filter((b) => b.name === "memory" || b.name === "sqlite");
    const { rows, table, notes } = await runStoreBench({ rows: 2000, batch: 300, rounds: 2, warmupRows: 500, backends });
    expect(rows.map((r) => `${r.backend}/${r.phase}`)).toEqual(backends.flatMap((b) => STORE_PHASES.map((p) => `${b.name}/${p}`)));
    for (const r of rows as StoreRow[]) {
      expect([r.rows, r.batch, r.rounds]).toEqual([2000, 300, 2]);
      expect(Number.isFinite(r.rowsPerSec) && r.rowsPerSec > 0).toBe(true);
      expect(Number.isFinite(r.spread) && r.spread >= 0).toBe(true);
      expect(r.target === undefined || r.target > 0).toBe(true);
    }
    expect(rows.filter((r) => r.target !== undefined).map((r) => `${r.backend}/${r.phase}`))
      .toEqual(["sqlite/insertTasks", "sqlite/updateStatuses"]);
    expect(formatTable(table).split("\n")).toHaveLength(rows.length + 2);
    expect(notes?.[0]).toContain("2,000 rows per round in calls of 300");
  });

  it("is listed under its name and checks its options", async () => {
    expect(storeSuite.name).toBe("store");
    await expect(runStoreBench({ rows: 0 })).rejects.toThrow("rows: Expected an integer >= 1, got 0");
    await expect(runStoreBench({ batch: 2.5 })).rejects.toThrow("batch: Expected an integer >= 1, got 2.5");
  });
});
