/**
 * A live line chart over time (uPlot), one line per key: throughput, progress
 * per task name, tasks done per worker. Lines appear as new keys arrive; the
 * data is plain JSON (`SeriesData`), so a finished run's charts can be kept
 * and drawn again.
 */
import uPlot from "uplot";
import { h } from "./el.ts";

/** Points of every line: x in seconds, one y per x per line (null: no value yet). */
export interface SeriesData {
  t: number[];
  lines: Record<string, (number | null)[]>;
}

const PALETTE = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777", "#4b5563", "#65a30d"];

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
}

/** A line chart that grows point by point. */
export class TimeChart {
  readonly el: HTMLElement;
  readonly #o: TimeChartOptions;
  readonly #plotBox: HTMLElement;
  #data: SeriesData = { t: [], lines: {} };
  #plot: uPlot | null = null;
  #keys = "";

  constructor(o: TimeChartOptions) {
    this.#o = o;
    this.#plotBox = h("div", { class: "tm-chart-plot" });
    this.el = h("section", { class: "tm-chart" }, h("h3", {}, o.title), this.#plotBox);
  }

  /** The data drawn now (a copy to keep). */
  get data(): SeriesData {
    return structuredClone(this.#data);
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
    this.show({ t: [], lines: {} });
  }

  #draw(): void {
    const keys = Object.keys(this.#data.lines);
    const aligned = [this.#data.t, ...keys.map((k) => this.#data.lines[k]!)] as uPlot.AlignedData;
    if (this.#plot && keys.join("\u0000") === this.#keys) {
      this.#plot.setData(aligned);
      return;
    }
    this.#plot?.destroy();
    this.#keys = keys.join("\u0000");
    const width = Math.max(280, this.#plotBox.clientWidth || 520);
    const o = this.#o;
    this.#plot = new uPlot({
      width,
      height: o.height ?? 180,
      legend: { show: true },
      cursor: { show: true, drag: { x: false, y: false } },
      scales: { x: { time: false }, y: o.yRange ? { range: o.yRange } : { auto: true } },
      axes: [
        { label: "s", labelSize: 14, size: 30 },
        { label: o.unit, labelSize: 16, size: 56 },
      ],
      series: [
        { label: "t (s)" },
        ...keys.map((k, i) => ({ label: k, stroke: PALETTE[i % PALETTE.length]!, width: 2, spanGaps: false, points: { show: false } })),
      ],
    }, aligned, this.#plotBox);
  }
}
