// Rows to chart series: what makes a new chart a few lines in a suite's view.
import type { ChartSeries } from "./line-chart.ts";
import type { ResultsRow } from "./results-row.ts";

/** How to read a chart out of rows: which line a row belongs to, and its point. */
export interface SeriesPick {
  /** The series' name for a row; undefined leaves the row out. */
  group: (row: ResultsRow) => string | undefined;
  x: (row: ResultsRow) => number | undefined;
  y: (row: ResultsRow) => number | undefined;
}

/** Groups rows into series (in order of first appearance), skipping rows without a group, an x or a y. */
export function seriesBy(rows: readonly ResultsRow[], pick: SeriesPick): ChartSeries[] {
  const by = new Map<string, { x: number; y: number }[]>();
  for (const row of rows) {
    const name = pick.group(row), x = pick.x(row), y = pick.y(row);
    if (name === undefined || x === undefined || y === undefined) continue;
    let points = by.get(name);
    if (!points) by.set(name, (points = []));
    points.push({ x, y });
  }
  return [...by].map(([name, points]) => ({ name, points }));
}
