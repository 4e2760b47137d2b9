/**
 * UI components shared by the simulation harness and the dashboard: a DOM
 * builder, number formats, the colours of task states, progress bars per task
 * name / per worker, and uPlot time charts. Plain DOM, no framework; style in
 * components.css.
 */
export { h, append, replace, type Attrs, type Child } from "./el.ts";
export { int, duration, dateTime, percent } from "./format.ts";
export { STATE_COLORS, SERIES_PALETTE, seriesColor } from "./colors.ts";
export { ProgressBars, type BarRow } from "./progress-bars.ts";
export { TimeChart, type SeriesData, type TimeChartOptions } from "./time-chart.ts";
export { namesToRows, workersToRows } from "./rows.ts";
