/**
 * The failures of an instance in its panel (B25): how many sub-tasks failed
 * for good, of how many, and the first errors the instance lists. The tasks
 * themselves, with their errors, are in the tasks table (filter FAILED).
 */
import { h, replace } from "../components/el.ts";
import { int } from "../components/format.ts";
import type { View } from "./api.ts";
import { taskCounts } from "./format-result.ts";

/** The failures box of the instance panel, hidden while nothing failed for good. */
export class Failures {
  readonly #count = h("p", { id: "failed-count" });
  readonly #errors = h("ul", { id: "first-errors", class: "errors mono" });
  readonly el = h("div", { id: "failures", class: "failures", hidden: true }, this.#count, this.#errors);

  /** Shows the failures of `v` (null hides the box). */
  show(v: View | null): void {
    this.el.hidden = v === null || v.failedCount === 0;
    if (v === null || this.el.hidden) return;
    this.el.dataset.failed = String(v.failedCount);
    const sub = taskCounts(v.progress).subTasks;
    this.#count.textContent = `${int(v.failedCount)} of ${int(sub)} sub-task${sub === 1 ? "" : "s"} failed for good` +
      (v.errors.length > 0 ? ` — the first ${v.errors.length === 1 ? "error" : `${v.errors.length} errors`}:` : "");
    replace(this.#errors, ...v.errors.map((e) => h("li", { "data-task": e.taskId },
      `${e.taskId} · ${e.name} · attempt ${e.attempt} · ${e.worker ?? "no worker"}: `, h("span", { class: "error-text" }, e.message))));
    this.#errors.hidden = v.errors.length === 0;
  }
}
