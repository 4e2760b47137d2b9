// A line chart as a standalone SVG document, written by hand so the bench
// needs no charting dependency: axes with ticks and grid, a title, axis
// labels, a legend and one line (with point markers) per series. Linear or
// log10 on either axis. Output is deterministic (same input, same bytes), so
// a regenerated RESULTS.md only changes where the figures did.
import { linearTicks, logTicks, type AxisScale, type AxisTicks } from "./axis-ticks.ts";
import { shortNumber } from "./number-format.ts";
import { xmlEscape } from "./xml-escape.ts";

/** One measured point. */
export interface ChartPoint {
  x: number;
  y: number;
}

/** One line of the chart. */
export interface ChartSeries {
  /** Shown in the legend. */
  name: string;
  /** In any order: they are drawn sorted by x. */
  points: readonly ChartPoint[];
}

/** What to draw. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  /** @default "linear" */
  xScale?: AxisScale;
  /** @default "linear" (from 0) */
  yScale?: AxisScale;
  /** Whole-number ticks on x (counts of workers, masters). @default true when every x is an integer */
  xIntegers?: boolean;
  /** @default 720 */
  width?: number;
  /** @default 400 */
  height?: number;
  /** Tick label of an x value. @default shortNumber (10k, 1.5M) */
  formatX?: (x: number) => string;
  /** Tick label of a y value. @default shortNumber */
  formatY?: (y: number) => string;
}

/** Where the data is drawn, in SVG user units; the chart marks it with `<rect class="plot">`. */
export interface PlotArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Line colours (Okabe–Ito, told apart by most colour-blind readers), with a dash pattern each as a second cue. */
const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
const DASHES = ["", "6 3", "2 3", "8 3 2 3"];
/** Gap between the plot frame and the domain's ends, so a marker at the end of an axis is not cut by it. */
const INSET = 10;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/** Rounds a coordinate to 0.1 unit: enough for any screen, and stable bytes. */
function c(x: number): string {
  return String(Math.round(x * 10) / 10);
}

function checkPoints(series: readonly ChartSeries[], xScale: AxisScale, yScale: AxisScale): void {
  for (const s of series) {
    for (const p of s.points) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
        throw new RangeError(`lineChartSvg: Expected finite points, got (${p.x}, ${p.y}) in series "${s.name}"`);
      }
      if (xScale === "log" && p.x <= 0) throw new RangeError(`lineChartSvg: Expected x > 0 on a log axis, got ${p.x} in series "${s.name}"`);
      if (yScale === "log" && p.y <= 0) throw new RangeError(`lineChartSvg: Expected y > 0 on a log axis, got ${p.y} in series "${s.name}"`);
    }
  }
}

function axisTicks(values: number[], scale: AxisScale, integers: boolean, fromZero: boolean): AxisTicks {
  const lo = Math.min(...values), hi = Math.max(...values);
  return scale === "log" ? logTicks(lo, hi) : linearTicks(lo, hi, { integers, fromZero });
}

/** Maps a value into [a, b] of the screen along an axis. */
function projector(t: AxisTicks, scale: AxisScale, a: number, b: number): (v: number) => number {
  const f = scale === "log" ? Math.log10 : (v: number) => v;
  const lo = f(t.min), span = f(t.max) - lo;
  return (v) => a + ((f(v) - lo) / span) * (b - a);
}

/**
 * Draws the series as an SVG line chart and returns the document. Series
 * without points are listed in the legend as "(no data)"; when no series has
 * a point, the chart is drawn empty with "no data" in the plot, so a
 * suite that measured nothing says so instead of failing the report.
 * Throws on non-finite points and on x ≤ 0 (or y ≤ 0) on a log axis.
 * @example lineChartSvg({ title: "e2e", xLabel: "workers", yLabel: "tasks/s", series: [{ name: "push", points: [{ x: 1, y: 9e4 }, { x: 2, y: 1.6e5 }] }] })
 */
export function lineChartSvg(o: LineChartOptions): string {
  const xScale = o.xScale ?? "linear", yScale = o.yScale ?? "linear";
  checkPoints(o.series, xScale, yScale);
  const width = o.width ?? 720, height = o.height ?? 400;
  const fx = o.formatX ?? shortNumber, fy = o.formatY ?? shortNumber;
  const all = o.series.flatMap((s) => s.points);
  const empty = all.length === 0;

  const xs = empty ? [1, 10] : all.map((p) => p.x);
  const ys = empty ? [0, 1] : all.map((p) => p.y);
  const xt = axisTicks(xs, xScale, o.xIntegers ?? xs.every(Number.isInteger), false);
  const yt = axisTicks(ys, yScale, false, yScale === "linear");

  // Room for the widest y label on the left and the longest series name on the right.
  // About 7.5 units a character at font-size 12: an estimate, since an SVG writer cannot measure text.
  const yLabelWidth = Math.max(...yt.ticks.map((t) => fy(t).length)) * 7.5;
  const legendWidth = Math.min(280, Math.max(...o.series.map((s) => s.name.length + (s.points.length ? 0 : 10)), 4) * 7.5 + 44);
  const plot: PlotArea = { left: 36 + yLabelWidth, top: 44, width: 0, height: 0 };
  plot.width = width - plot.left - legendWidth - 16;
  plot.height = height - plot.top - 56;
  const px = projector(xt, xScale, plot.left + INSET, plot.left + plot.width - INSET);
  const py = projector(yt, yScale, plot.top + plot.height - INSET, plot.top + INSET);
  const bottom = plot.top + plot.height, right = plot.left + plot.width;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${xmlEscape(o.title)}">`);
  out.push(`<title>${xmlEscape(o.title)}</title>`);
  // An opaque background: GitHub's dark theme would otherwise show black text on near-black.
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<g ${FONT} font-size="12" fill="#222222">`);
  out.push(`<text class="title" x="${c(width / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="600">${xmlEscape(o.title)}</text>`);
  out.push(`<rect class="plot" x="${c(plot.left)}" y="${c(plot.top)}" width="${c(plot.width)}" height="${c(plot.height)}" fill="none" stroke="#888888"/>`);

  out.push(`<g class="x-ticks" text-anchor="middle">`);
  for (const t of xt.ticks) {
    const x = c(px(t));
    out.push(`<line x1="${x}" y1="${c(plot.top)}" x2="${x}" y2="${c(bottom)}" stroke="#e4e4e4"/>`);
    out.push(`<line x1="${x}" y1="${c(bottom)}" x2="${x}" y2="${c(bottom + 5)}" stroke="#888888"/>`);
    out.push(`<text class="tick" x="${x}" y="${c(bottom + 18)}">${xmlEscape(fx(t))}</text>`);
  }
  out.push(`</g>`);
  out.push(`<g class="y-ticks" text-anchor="end">`);
  for (const t of yt.ticks) {
    const y = c(py(t));
    out.push(`<line x1="${c(plot.left)}" y1="${y}" x2="${c(right)}" y2="${y}" stroke="#e4e4e4"/>`);
    out.push(`<line x1="${c(plot.left - 5)}" y1="${y}" x2="${c(plot.left)}" y2="${y}" stroke="#888888"/>`);
    out.push(`<text class="tick" x="${c(plot.left - 8)}" y="${c(py(t) + 4)}">${xmlEscape(fy(t))}</text>`);
  }
  out.push(`</g>`);
  const xNote = xScale === "log" ? " (log scale)" : "";
  const yNote = yScale === "log" ? " (log scale)" : "";
  out.push(`<text class="x-label" x="${c(plot.left + plot.width / 2)}" y="${c(height - 12)}" text-anchor="middle">${xmlEscape(o.xLabel + xNote)}</text>`);
  const ly = plot.top + plot.height / 2;
  out.push(`<text class="y-label" x="14" y="${c(ly)}" text-anchor="middle" transform="rotate(-90 14 ${c(ly)})">${xmlEscape(o.yLabel + yNote)}</text>`);

  if (empty) {
    out.push(`<text class="empty" x="${c(plot.left + plot.width / 2)}" y="${c(ly)}" text-anchor="middle" font-size="14" fill="#888888">no data</text>`);
  }
  o.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!, dash = DASHES[i % DASHES.length]!;
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    out.push(`<g class="series" stroke="${color}" fill="${color}">`);
    if (pts.length > 1) {
      const d = pts.map((p, k) => `${k === 0 ? "M" : "L"}${c(px(p.x))} ${c(py(p.y))}`).join(" ");
      out.push(`<path d="${d}" fill="none" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ""}/>`);
    }
    for (const p of pts) {
      out.push(`<circle cx="${c(px(p.x))}" cy="${c(py(p.y))}" r="3.5"><title>${xmlEscape(`${s.name}: ${fx(p.x)} → ${fy(p.y)}`)}</title></circle>`);
    }
    out.push(`</g>`);
  });

  out.push(`<g class="legend">`);
  o.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!, dash = DASHES[i % DASHES.length]!;
    const x = right + 16, y = plot.top + 8 + i * 20;
    out.push(`<line x1="${c(x)}" y1="${c(y)}" x2="${c(x + 22)}" y2="${c(y)}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ""}/>`);
    out.push(`<text x="${c(x + 28)}" y="${c(y + 4)}">${xmlEscape(s.points.length ? s.name : `${s.name} (no data)`)}</text>`);
  });
  out.push(`</g>`);
  out.push(`</g>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
