/**
 * A live line chart over time (uPlot), one line per key: throughput, progress
 * per task name, tasks done per worker. Lines appear as new keys arrive; the
 * data is plain JSON (`SeriesData`), so a finished run's charts can be kept
 * and drawn again. The legend shows each line's value under the cursor, and
 * its last value when the cursor is elsewhere (never uPlot's `--`).
 */
import uPlot from "uplot";
import { h } from "./el.ts";
import { seriesColor } from "./colors.ts";
import { int } from "./format.ts";

/** Points of every line: x in seconds, one y per x per line (null: no value yet). */
export interface SeriesData {
  t: number[];
  lines: Record<string, (number | null)[]>;
}

/** Options of a TimeChart. */
export interface TimeChartOptions {
  /** Shown above the chart. */
  title: string;
  /** Label of the y axis, e.g. "tasks/s". */
  unit: string;
  /** Pixel height of the plot. @default 180 */
  height?: number;
  /** Fixed y range, e.g. [0, 100] for percentages. @default automatic */
  yRange?: [number, number];
  /** Fixed colours of some keys (states: succeeded green, failed red); other keys take the series palette. */
  colors?: Readonly<Record<string, string>>;
}

/** The last non-null value of a line, if any. */
function lastValue(line: readonly (number | null)[] | undefined): number | null {
  if (!line) return null;
  for (let i = line.length - 1; i >= 0; i--) if (line[i] !== null && line[i] !== undefined) return line[i]!;
  return null;
}

/** A legend value: whole numbers with separators, others with one decimal. */
function legendText(v: number | null): string {
  if (v === null) return "—";
  return Number.isInteger(v) ? int(v) : v.toFixed(1);
}

/** A line chart that grows point by point. */
export class TimeChart {
  readonly el: HTMLElement;
  readonly #o: TimeChartOptions;
  readonly #plotBox: HTMLElement;
  readonly #note: HTMLElement;
  #data: SeriesData = { t: [], lines: {} };
  #plot: uPlot | null = null;
  #keys = "";

  constructor(o: TimeChartOptions) {
    this.#o = o;
    this.#plotBox = h("div", { class: "tm-chart-plot" });
    this.#note = h("p", { class: "tm-chart-note" });
    this.el = h("section", { class: "tm-chart" }, h("h3", {}, o.title), this.#plotBox, this.#note);
  }

  /** The data drawn now (a copy to keep). */
  get data(): SeriesData {
    return structuredClone(this.#data);
  }

  /** A line under the chart saying where its data comes from ("" hides it). */
  set note(text: string) {
    this.#note.textContent = text;
  }

  /** Adds one point per key at time `t` (seconds); keys not seen before become new lines. */
  push(t: number, values: Record<string, number>): void {
    const d = this.#data;
    const before = d.t.length;
    d.t.push(t);
    for (const [k, v] of Object.entries(values)) {
      const line = d.lines[k] ?? (d.lines[k] = new Array<number | null>(before).fill(null));
      line.push(v);
    }
    for (const line of Object.values(d.lines)) if (line.length === before) line.push(null);
    this.#draw();
  }

  /** Draws `data` instead (a past run). */
  show(data: SeriesData): void {
    this.#data = structuredClone(data);
    this.#draw();
  }

  /** Empties the chart. */
  clear(): void {
    this.note = "";
    this.show({ t: [], lines: {} });
  }

  #draw(): void {
    const keys = Object.keys(this.#data.lines);
    const aligned = [this.#data.t, ...keys.map((k) => this.#data.lines[k]!)] as uPlot.AlignedData;
    // A line of one or two points shows its points (a lone point has no line to draw).
    const few = this.#data.t.length < 3;
    const signature = `${few}\u0000${keys.join("\u0000")}`;
    if (this.#plot && signature === this.#keys) {
      this.#plot.setData(aligned);
      return;
    }
    this.#plot?.destroy();
    this.#keys = signature;
    const width = Math.max(280, this.#plotBox.clientWidth || 520);
    const o = this.#o;
    let palette = 0;
    // The cursor off the plot (idx null): the line's last value, so the legend always says something.
    const value = (key: string | null) => (_u: uPlot, v: number | null, _s: number, idx: number | null): string =>
      legendText(idx === null || idx === undefined ? lastValue(key === null ? this.#data.t : this.#data.lines[key]) : v);
    this.#plot = new uPlot({
      width,
      height: o.height ?? 180,
      legend: { show: true, live: true },
      cursor: { show: true, drag: { x: false, y: false } },
      scales: { x: { time: false }, y: o.yRange ? { range: o.yRange } : { auto: true } },
      axes: [
        { label: "s", labelSize: 14, size: 30 },
        { label: o.unit, labelSize: 16, size: 56 },
      ],
      series: [
        { label: "t (s)", value: value(null) },
        ...keys.map((k) => ({
          label: k, stroke: o.colors?.[k] ?? seriesColor(palette++), width: 2, spanGaps: false, points: { show: few, size: 7 }, value: value(k),
        })),
      ],
    }, aligned, this.#plotBox);
  }
}
