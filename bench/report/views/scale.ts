// scale: several masters sharing one store — tasks/s over masters × workers.
import { count, rate } from "../number-format.ts";
import { num, str } from "../results-row.ts";
import { seriesBy } from "../chart-series.ts";
import { column, textColumn, type SuiteView } from "../suite-view.ts";

/** How RESULTS.md shows `bench/results/scale.json` (a suite still to come: rows with masters, workers and tasksPerSec). */
export const scaleView: SuiteView = {
  title: "scale: several masters",
  columns: [
    textColumn("mode", "mode"),
    column("N", "n", count, ""),
    column("masters", "masters", count),
    column("workers", "workers", count),
    column("tasks/s", "tasksPerSec", rate),
  ],
  charts: (rows) => {
    const series = seriesBy(rows, {
      group: (r) => { const m = num(r, "masters"); return m === undefined ? undefined : `${m} master${m === 1 ? "" : "s"}${str(r, "mode") ? `, ${str(r, "mode")}` : ""}`; },
      x: (r) => num(r, "workers"), y: (r) => num(r, "tasksPerSec"),
    });
    return series.length === 0 ? [] : [{
      file: "scale-masters.svg", alt: "scale: tasks/s vs worker processes, one line per number of masters",
      chart: { title: "scale: tasks/s vs workers, per number of masters", xLabel: "worker processes", yLabel: "tasks/s", series },
    }];
  },
};
