// takeover: two shared masters on PostgreSQL, the owner SIGKILLed mid-job — how much of the job ran twice (B36).
import { count, seconds } from "../number-format.ts";
import { num } from "../results-row.ts";
import { column, textColumn, type SuiteView } from "../suite-view.ts";

/** How RESULTS.md shows `bench/results/takeover.json`. */
export const takeoverView: SuiteView = {
  title: "takeover: the owning master SIGKILLed mid-job, another takes the instance over",
  columns: [
    textColumn("store", "store"),
    column("N", "n", count),
    column("task", "taskMs", (x) => `${x} ms`),
    column("workers", "workers", count),
    column("killed at", "successAtKill", (x) => `${count(x)} done`),
    column("ran twice", "ranTwice", count),
    column("ran twice %", "ranTwicePct", (x) => `${x.toFixed(2)} %`),
    column("takeover", "takeoverSeconds", seconds),
    column("resume", "resumeSeconds", seconds),
    column("kill → done", "doneSeconds", seconds),
    textColumn("counters exact", "countersExact"),
  ],
  hidden: ["kind", "masters", "settings", "lease", "killAt", "runs", "sumChecked", "loadAvg1m", "targets"],
  summary: (rows) => rows.flatMap((r) => {
    const pct = num(r, "ranTwicePct"), target = (r.targets as Record<string, number> | undefined)?.ranTwicePct;
    return pct === undefined || target === undefined ? [] : [`Ran twice ${pct.toFixed(2)} % of the tasks: target ≤ ${target} % ${pct <= target ? "met" : "missed"}.`];
  }),
};
