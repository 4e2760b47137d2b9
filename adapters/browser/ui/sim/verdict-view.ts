/** The verdict box: PASS/FAIL and every check with what it found. */
import { h, replace } from "../components/el.ts";
import type { Verdict } from "./verdict.ts";

/** Shows a run's verdict. */
export class VerdictView {
  readonly el = h("section", { id: "verdict", class: "verdict" }, h("h2", {}, "Verdict"), h("p", { class: "muted" }, "after the run"));

  show(v: Verdict | null, title = "Verdict"): void {
    if (!v) return replace(this.el, h("h2", {}, title), h("p", { class: "muted" }, "after the run"));
    replace(this.el,
      h("h2", {}, title),
      h("p", { class: `banner ${v.ok ? "pass" : "fail"}`, "data-ok": v.ok }, `${v.ok ? "PASS" : "FAIL"} · instance ${v.status}`),
      h("ul", { class: "checks" }, ...v.checks.map((c) =>
        h("li", { class: c.skipped ? "skip" : c.ok ? "ok" : "bad" }, h("span", { class: "mark" }, c.skipped ? "–" : c.ok ? "✓" : "✗"), ` ${c.name}: `, h("span", { class: "muted" }, c.detail)))));
  }
}
