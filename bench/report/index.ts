// The report generator's face, and its command: `node dist/bench/report/index.js`
// (= `npm run bench:report`) rewrites bench/RESULTS.md and the charts from
// bench/results/*.json and bench/notes/*.md.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { generateReport } from "./generate-report.ts";

export { generateReport, type ReportOptions, type ReportWritten } from "./generate-report.ts";
export { renderReport, REPORT_COMMAND, type ReportInput, type ChartLink } from "./render-report.ts";
export { lineChartSvg, type LineChartOptions, type ChartSeries, type ChartPoint, type PlotArea } from "./line-chart.ts";
export { linearTicks, logTicks, type AxisScale, type AxisTicks } from "./axis-ticks.ts";
export { seriesBy, type SeriesPick } from "./chart-series.ts";
export { SUITE_ORDER, SUITE_VIEWS, viewOf, orderSuites } from "./suite-views.ts";
export type { SuiteView, Column, ChartSpec, AllResults } from "./suite-view.ts";
export type { ResultsRow, SuiteResults } from "./results-row.ts";

/** True when this file is the program Node was started with, not an import (bench/run.ts imports it). */
function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  try {
    const { markdownFile, chartFiles } = generateReport();
    for (const f of [...chartFiles, markdownFile]) console.log(`wrote ${f}`);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  }
}
