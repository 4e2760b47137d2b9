// store: each TaskStore backend's phases in rows/s, against the storage targets.
import { count, percent, rate, targetRate } from "../number-format.ts";
import { num, type ResultsRow } from "../results-row.ts";
import { column, textColumn, type SuiteView } from "../suite-view.ts";

/** The distinct values of a field over the rows, as text: "1,000,000" or "3 / 5". */
function distinct(rows: readonly ResultsRow[], key: string): string {
  return [...new Set(rows.map((r) => num(r, key)).filter((v) => v !== undefined))].map(count).join(" / ");
}

/** How RESULTS.md shows `bench/results/store.json`. */
export const storeView: SuiteView = {
  title: "store: TaskStore backends",
  columns: [
    textColumn("backend", "backend"),
    textColumn("phase", "phase"),
    column("rows/s", "rowsPerSec", rate),
    column("noise", "spread", percent),
    {
      header: "target", keys: ["target"],
      cell: (row) => {
        const t = num(row, "target"), v = num(row, "rowsPerSec");
        if (t === undefined) return "—";
        return v !== undefined && v >= t ? `${targetRate(t)} — met ✔` : `${targetRate(t)} — **missed** ✘`;
      },
    },
  ],
  // The same for every row of a run: said once under the table.
  hidden: ["rows", "batch", "rounds"],
  summary: (rows) => {
    const withTarget = rows.filter((r) => num(r, "target") !== undefined);
    const missed = withTarget.filter((r) => (num(r, "rowsPerSec") ?? 0) < num(r, "target")!);
    return [
      `${distinct(rows, "rows")} rows per round in calls of ${distinct(rows, "batch")}, median of ${distinct(rows, "rounds")} rounds; ` +
        `noise = (max − min) ÷ median of the rounds.`,
      "",
      withTarget.length === 0 ? "No row has a target." :
        missed.length === 0 ? `**Every target met** (${withTarget.length} of ${withTarget.length}).` :
        `**Targets missed: ${missed.map((r) => `${String(r.backend)} ${String(r.phase)}`).join(", ")}** (${withTarget.length - missed.length} of ${withTarget.length} met).`,
    ];
  },
};
