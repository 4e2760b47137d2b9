/**
 * Progress bars, one row per task name or per worker: a stacked bar of
 * succeeded, failed, running and handed-out tasks over the row's total,
 * with the numbers beside it. Used by the simulation harness and the dashboard.
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
  /** A tag after the label: "killed", "cut off", "slow". */
  note?: string;
}

/** A list of progress bars, re-rendered on each update. */
export class ProgressBars {
  readonly el: HTMLElement;

  /** @param title shown above the rows, e.g. "per task name". */
  constructor(title: string, readonly emptyText = "nothing yet") {
    this.el = h("section", { class: "tm-bars" }, h("h3", {}, title), h("div", { class: "tm-bars-rows" }, emptyText));
  }

  /** Shows these rows. */
  update(rows: readonly BarRow[]): void {
    const box = this.el.querySelector(".tm-bars-rows")!;
    if (rows.length === 0) return replace(box, this.emptyText);
    replace(box, ...rows.map(row));
  }
}

function seg(cls: string, part: number, total: number): HTMLElement {
  const w = total > 0 ? (100 * part) / total : 0;
  return h("span", { class: `tm-seg ${cls}`, style: `width:${w.toFixed(3)}%` });
}

function row(r: BarRow): HTMLElement {
  const pulled = r.pulled ?? 0;
  const done = r.success + r.failed;
  return h("div", { class: "tm-bar-row", "data-label": r.label },
    h("span", { class: "tm-bar-label", title: r.label }, r.label, r.note ? h("em", { class: "tm-note" }, ` ${r.note}`) : null),
    h("span", { class: "tm-bar", title: `${int(r.success)} succeeded, ${int(r.failed)} failed, ${int(r.running)} running, ${int(pulled)} handed out, of ${int(r.total)}` },
      seg("tm-ok", r.success, r.total), seg("tm-fail", r.failed, r.total), seg("tm-run", r.running, r.total), seg("tm-pull", pulled, r.total)),
    h("span", { class: "tm-bar-nums" },
      `${int(done)} / ${int(r.total)} (${percent(done, r.total)})`,
      r.failed > 0 ? h("span", { class: "tm-fail-text" }, ` · ${int(r.failed)} failed`) : null));
}
