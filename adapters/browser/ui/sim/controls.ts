/**
 * The run form: fleet size and speed, job size (two map levels), dispatch
 * mode, routing, dispatch rate and failover. Reads into a SimConfig.
 */
import { h } from "../components/el.ts";
import type { SimConfig } from "./config.ts";

type Field = keyof SimConfig;

function num(id: Field, label: string, value: number, min: number, max: number, help: string): HTMLElement {
  return h("label", { title: help }, label, h("input", { id, name: id, type: "number", min, max, step: 1, value }));
}

function choice(id: Field, label: string, value: string, options: string[]): HTMLElement {
  const sel = h("select", { id, name: id }, ...options.map((o) => h("option", { value: o, selected: o === value }, o)));
  return h("label", {}, label, sel);
}

/** The form; `read()` returns what it says (checked later by checkConfig). */
export class Controls {
  readonly el: HTMLFormElement;

  constructor(c: SimConfig, onStart: () => void) {
    this.el = h("form", { id: "controls", class: "controls", onsubmit: (e) => { e.preventDefault(); onStart(); } },
      h("fieldset", {}, h("legend", {}, "Fleet"),
        num("workers", "workers", c.workers, 1, 32, "Web Workers, each a taskmill worker"),
        num("msPerTask", "ms per task", c.msPerTask, 0, 60_000, "time each LEAF task takes on a worker"),
        num("consumerSize", "tasks at once per worker", c.consumerSize, 1, 1000, "consumerSize")),
      h("fieldset", {}, h("legend", {}, "Job (two map levels)"),
        num("level1", "SPLIT tasks (level 1)", c.level1, 1, 10_000, "tasks the root maps"),
        num("level2", "LEAF tasks per SPLIT (level 2)", c.level2, 1, 100_000, "tasks each SPLIT maps")),
      h("fieldset", {}, h("legend", {}, "Dispatch"),
        choice("dispatchMode", "mode", c.dispatchMode, ["push", "pull"]),
        choice("route", "route", c.route, ["round-robin", "worker-load"]),
        h("label", { title: 'tasks per unit of time: "500/s", "100/m"; empty: unlimited' }, "dispatchSpeed",
          h("input", { id: "dispatchSpeed", name: "dispatchSpeed", type: "text", placeholder: "unlimited", value: c.dispatchSpeed })),
        h("label", { class: "check" }, h("input", { id: "failover", name: "failover", type: "checkbox", checked: c.failover }), "failover")),
      h("div", { class: "buttons" },
        h("button", { id: "start", type: "submit" }, "Start run"),
        h("span", { id: "total", class: "muted" })));
  }

  /** The form's values. */
  read(): Partial<SimConfig> {
    const v = (id: Field) => (this.el.querySelector(`#${id}`) as HTMLInputElement | HTMLSelectElement).value;
    const n = (id: Field) => Number(v(id));
    return {
      workers: n("workers"), msPerTask: n("msPerTask"), consumerSize: n("consumerSize"), level1: n("level1"), level2: n("level2"),
      dispatchMode: v("dispatchMode") as SimConfig["dispatchMode"], route: v("route") as SimConfig["route"],
      dispatchSpeed: v("dispatchSpeed"), failover: (this.el.querySelector("#failover") as HTMLInputElement).checked,
    };
  }

  /** Enables or disables the form (disabled while a run is on). */
  set busy(on: boolean) {
    for (const el of this.el.querySelectorAll("input, select, button")) (el as HTMLInputElement).disabled = on;
  }
}
