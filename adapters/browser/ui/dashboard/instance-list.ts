/**
 * The instances table: newest first, with status, processor, tasks, time
 * taken and result. Clicking a row selects that instance.
 */
import { h, replace } from "../components/el.ts";
import { dateTime, duration, int } from "../components/format.ts";
import type { InstanceView } from "../../../../src/master/master.ts";
import { endedTasks, resultText, totalTasks } from "./format-result.ts";

/** The list of the master's instances. */
export class InstanceList {
  readonly #body = h("tbody");
  readonly el = h("section", { class: "card instances" },
    h("h2", {}, "Instances"),
    h("table", { id: "instances" },
      h("thead", {}, h("tr", {}, ...["created", "instance", "processor", "status", "tasks", "took", "result"].map((t) => h("th", {}, t)))),
      this.#body));
  #selected: string | null = null;
  #last: readonly InstanceView[] = [];

  constructor(readonly onPick: (instanceId: string) => void) {}

  /** Highlights the selected instance. */
  select(id: string | null): void {
    this.#selected = id;
    this.show(this.#last);
  }

  /** Shows these instances (newest first). */
  show(instances: readonly InstanceView[]): void {
    this.#last = instances;
    if (instances.length === 0) return replace(this.#body, h("tr", {}, h("td", { colspan: 7, class: "muted" }, "no instances yet: submit one with `taskmill submit` or POST /api/instances")));
    replace(this.#body, ...instances.map((i) => this.#row(i)));
  }

  #row(i: InstanceView): HTMLElement {
    const took = i.finishedAt === null ? Date.now() - i.createdAt : i.finishedAt - i.createdAt;
    const total = totalTasks(i.progress);
    return h("tr", {
      "data-instance": i.instanceId, "data-status": i.status,
      class: `pick${i.instanceId === this.#selected ? " selected" : ""}`,
      onclick: () => this.onPick(i.instanceId),
    },
      h("td", {}, dateTime(i.createdAt)),
      h("td", { class: "mono", title: i.instanceId }, i.instanceId),
      h("td", { class: "mono" }, i.processor),
      h("td", { class: `status status-${i.status}` }, i.status),
      h("td", { class: "num" }, i.progress ? `${int(endedTasks(i.progress))} / ${int(total)}` : "—"),
      h("td", { class: "num" }, i.finishedAt === null ? `${duration(took)}…` : duration(took)),
      h("td", { class: "result mono", title: resultText(i, 10_000) }, resultText(i)));
  }
}
