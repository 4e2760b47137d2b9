// The scale bench runs end to end on tiny jobs against the real PostgreSQL:
// real shared masters and workers, rows of the documented shape. It never
// asserts on speed: that is what bench/results/scale.json is for.
import { describe, it, expect } from "vitest";
import { runScaleBench, resolveScaleOptions, scaleSuite } from "../bench/scale.ts";
import { formatTable } from "../bench/lib/table.ts";
import { ensurePostgres } from "./services.ts";
import { requireBuild } from "./processes.ts";

const pg = await ensurePostgres();
if ("skip" in pg) console.warn(`\n*** ${pg.skip} ***\n`);

describe("bench: scale suite smoke", () => {
  it.skipIf("skip" in pg)("runs 1 and 2 shared masters on tiny jobs and returns one row each, every instance's sum checked", { timeout: 120_000 }, async () => {
    requireBuild();
    const { rows, table, notes } = await runScaleBench({ instances: 3, n: 300, rounds: 1, pgUrl: (pg as { url: string }).url });
    expect(rows.map((r) => [r.config, r.masters, r.workers, r.instances, r.n, r.mode, r.store]))
      .toEqual([["1 master × 2 workers", 1, 2, 3, 300, "push", "postgres"], ["2 masters × 2 workers", 2, 2, 3, 300, "push", "postgres"]]);
    for (const r of rows) {
      expect(r.seconds > 0 && Number.isFinite(r.tasksPerSec) && r.tasksPerSec > 0).toBe(true);
      expect(r.roundSeconds).toHaveLength(1);
      expect(r.settings).toMatchObject({ dispatchMode: "push", execOnMaster: false });
    }
    expect(formatTable(table).split("\n")).toHaveLength(rows.length + 2);
    expect(notes?.[0]).toContain("3 instances × 300 no-op tasks");
  });

  it("is listed under its name and checks its options", () => {
    expect(scaleSuite.name).toBe("scale");
    expect(() => resolveScaleOptions({ masters: [] })).toThrow("masters: Expected at least one master count");
    expect(() => resolveScaleOptions({ masters: [1, 0] })).toThrow("masters[1]: Expected an integer >= 1, got 0");
    expect(() => resolveScaleOptions({ n: 2.5 })).toThrow("n: Expected an integer >= 1, got 2.5");
    expect(() => resolveScaleOptions({ instances: 0 })).toThrow("instances: Expected an integer >= 1, got 0");
    expect(resolveScaleOptions({})).toMatchObject({ masters: [1, 2], workers: 2, instances: 8, n: 50_000, rounds: 3 });
  });
});
