// core: the WASM core against its TypeScript twin, per op and batch size.
import { count, percent, rate, times } from "../number-format.ts";
import { num, type ResultsRow } from "../results-row.ts";
import { column, textColumn, type SuiteView } from "../suite-view.ts";

/** The core issue's target: a batched op runs at least twice as fast on WASM as on the twin. */
export const CORE_TARGET_RATIO = 2;

/** Batch-1 rows measure one call (limiter, baseline): the target is for batched ops only. */
function batched(row: ResultsRow): boolean {
  return (num(row, "batch") ?? 1) > 1;
}

/** How RESULTS.md shows `bench/results/core.json`. */
export const coreView: SuiteView = {
  title: "core: WASM core vs its TypeScript twin",
  columns: [
    textColumn("op", "op"),
    column("batch", "batch", count),
    column("workers", "workers", count, ""),
    column("WASM items/s", "wasmOpsPerSec", rate),
    column("twin items/s", "tsOpsPerSec", rate),
    {
      header: "WASM/twin", keys: ["ratio"],
      cell: (row) => {
        const r = num(row, "ratio");
        if (r === undefined) return "—";
        if (!batched(row)) return times(r);
        return r >= CORE_TARGET_RATIO ? `${times(r)} ✔` : `**${times(r)}** ✘`;
      },
    },
    {
      header: "noise W / T", keys: ["wasmSpread", "tsSpread"],
      cell: (row) => [num(row, "wasmSpread"), num(row, "tsSpread")].map((x) => (x === undefined ? "—" : percent(x))).join(" / "),
    },
  ],
  summary: (rows) => {
    const b = rows.filter(batched);
    const under = b.filter((r) => (num(r, "ratio") ?? 0) < CORE_TARGET_RATIO);
    const name = (r: ResultsRow) => `${String(r.op)} (batch ${count(num(r, "batch") ?? 0)}${r.workers === undefined ? "" : `, ${count(num(r, "workers") ?? 0)} workers`})`;
    return [
      `Items = tasks (for batch-1 rows, calls); noise = (max − min) ÷ median of the rounds, per engine. ` +
        `✔ / ✘: the batched row reaches / misses ${CORE_TARGET_RATIO}× (batch-1 rows are single calls: no target).`,
      "",
      `**${b.length - under.length} of the ${b.length} batched rows reach ${CORE_TARGET_RATIO}×**` +
        (under.length === 0 ? "." : `; under: ${under.map(name).join(", ")}.`),
    ];
  },
};
