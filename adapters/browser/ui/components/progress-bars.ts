/**
 * Progress bars, one row per task name or per worker: a stacked bar of
 * succeeded, failed, running and handed-out tasks, with the numbers beside
 * it. A task name's bar is over its own total; a worker's is its share of the
 * tasks done (rows.ts), since what a worker was handed says nothing of how far
 * the job is. Used by the simulation harness and the dashboard.
 */
import { h, replace } from "./el.ts";
import { int, percent } from "./format.ts";

/** One row's counters (NameProgress and WorkerProgress both fit). */
export interface BarRow {
  label: string;
  total: number;
  success: number;
  failed: number;
  running: number;
  pulled?: number;
  /** What the bar's full width stands for. @default total */
  of?: number;
  /** The numbers beside the bar. @default "done / total (percent)" */
  text?: string;
  /** A tag after the label: "killed", "cut off", "slow". */
  note?: string;
}

/** A list of progress bars, re-rendered on each update. */
export class ProgressBars {
  readonly el: HTMLElement;
  readonly #rows: HTMLElement;

  /**
   * @param title shown above the rows, e.g. "per task name".
   * @param caption says what a bar measures, under the title.
   */
  constructor(title: string, readonly emptyText = "nothing yet", caption = "") {
    this.#rows = h("div", { class: "tm-bars-rows" }, emptyText);
    this.el = h("section", { class: "tm-bars" }, h("h3", {}, title), caption ? h("p", { class: "tm-bars-caption" }, caption) : null, this.#rows);
  }

  /** Shows these rows. */
  update(rows: readonly BarRow[]): void {
    if (rows.length === 0) return replace(this.#rows, this.emptyText);
    replace(this.#rows, ...rows.map(row));
  }
}

function seg(cls: string, part: number, whole: number): HTMLElement {
  const w = whole > 0 ? Math.min(100, (100 * part) / whole) : 0;
  const el = h("span", { class: `tm-seg ${cls}` });
  // Through the CSSOM, not a style attribute: a Content-Security-Policy without 'unsafe-inline' styles allows it.
  el.style.width = `${w.toFixed(3)}%`;
  return el;
}

function row(r: BarRow): HTMLElement {
  const pulled = r.pulled ?? 0;
  const done = r.success + r.failed;
  const whole = r.of ?? r.total;
  return h("div", { class: "tm-bar-row", "data-label": r.label },
    h("span", { class: "tm-bar-label", title: r.label }, r.label, r.note ? h("em", { class: "tm-note" }, ` ${r.note}`) : null),
    h("span", { class: "tm-bar", title: `${int(r.success)} succeeded, ${int(r.failed)} failed, ${int(r.running)} running, ${int(pulled)} handed out` },
      seg("tm-ok", r.success, whole), seg("tm-fail", r.failed, whole), seg("tm-run", r.running, whole), seg("tm-pull", pulled, whole)),
    h("span", { class: "tm-bar-nums" },
      r.text ?? `${int(done)} / ${int(r.total)} (${percent(done, r.total)})`,
      r.failed > 0 ? h("span", { class: "tm-fail-text" }, ` · ${int(r.failed)} failed`) : null));
}
