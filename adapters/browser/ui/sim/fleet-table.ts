/**
 * The fleet's table: each simulated worker's state and speed, with its
 * faults: slow it down, cut it off (and reconnect it), kill it.
 */
import { h, replace } from "../components/el.ts";
import type { Fleet, SimWorkerInfo } from "./fleet.ts";

const SLOW_FACTOR = 10;

/** Renders the fleet and wires its fault buttons. */
export class FleetTable {
  readonly el: HTMLElement;
  readonly #body: HTMLElement;

  constructor(readonly fleet: Fleet) {
    this.#body = h("tbody");
    this.el = h("section", { class: "fleet" }, h("h2", {}, "Workers"),
      h("table", { id: "fleet" },
        h("thead", {}, h("tr", {}, h("th", {}, "worker"), h("th", {}, "state"), h("th", {}, "ms/task"), h("th", {}, "faults"))),
        this.#body),
      h("p", { class: "muted" }, "kill: terminate the Web Worker · cut off: drop its messages · slow: ×10 time per task"));
    fleet.onChange(() => this.render());
    this.render();
  }

  render(): void {
    const rows = this.fleet.list();
    if (rows.length === 0) return replace(this.#body, h("tr", {}, h("td", { colspan: 4, class: "muted" }, "no workers")));
    replace(this.#body, ...rows.map((w) => this.#row(w)));
  }

  #row(w: SimWorkerInfo): HTMLElement {
    const dead = w.state === "killed";
    const btn = (action: string, label: string, fn: () => void, disabled = dead) =>
      h("button", { type: "button", "data-action": action, disabled, onclick: fn }, label);
    const speed = h("input", {
      type: "number", min: 0, max: 60_000, value: w.msPerTask, disabled: dead, class: "speed",
      onchange: (e) => this.fleet.setSpeed(w.id, Math.max(0, Math.round(Number((e.target as HTMLInputElement).value)) || 0)),
    });
    return h("tr", { "data-worker": w.id, class: `state-${w.state}` },
      h("td", {}, w.id),
      h("td", { class: "state" }, w.state),
      h("td", {}, speed),
      h("td", { class: "faults" },
        btn("slow", "slow", () => this.fleet.setSpeed(w.id, Math.max(1, w.msPerTask) * SLOW_FACTOR)),
        w.state === "cut" ? btn("reconnect", "reconnect", () => this.fleet.cut(w.id, false)) : btn("cut", "cut off", () => this.fleet.cut(w.id, true)),
        btn("kill", "kill", () => this.fleet.kill(w.id))));
  }
}
