/**
 * The history table: the master's instances (from its IdbStore) joined with
 * the harness's run records, newest first. Clicking a row shows that run.
 */
import { h, replace } from "../components/el.ts";
import { dateTime, duration, int } from "../components/format.ts";
import type { InstanceView } from "../../../../src/master/master.ts";
import type { RunRecord } from "./history.ts";

/** Renders past runs. */
export class HistoryTable {
  readonly #body = h("tbody");
  readonly el = h("section", { class: "history" }, h("h2", {}, "History (kept in IndexedDB)"),
    h("table", { id: "history" },
      h("thead", {}, h("tr", {}, ...["started", "instance", "status", "tasks", "took", "tasks/s", "verdict", "faults", "settings"].map((t) => h("th", {}, t)))),
      this.#body));

  constructor(readonly onPick: (instanceId: string) => void) {}

  show(instances: readonly InstanceView[], records: readonly RunRecord[]): void {
    const byId = new Map(records.map((r) => [r.instanceId, r]));
    if (instances.length === 0) return replace(this.#body, h("tr", {}, h("td", { colspan: 9, class: "muted" }, "no runs yet")));
    replace(this.#body, ...instances.map((i) => this.#row(i, byId.get(i.instanceId))));
  }

  #row(i: InstanceView, r: RunRecord | undefined): HTMLElement {
    const took = i.finishedAt === null ? null : i.finishedAt - i.createdAt;
    const ended = i.progress ? Object.values(i.progress.names).reduce((s, n) => s + n.success + n.failed, 0) : r?.tasks ?? 0;
    const c = r?.config;
    const settings = c ? `${c.workers} workers · ${c.dispatchMode} · ${c.route}${c.dispatchSpeed ? ` · ${c.dispatchSpeed}` : ""}${c.failover ? "" : " · no failover"}` : "";
    return h("tr", { "data-instance": i.instanceId, class: "pick", onclick: () => this.onPick(i.instanceId) },
      h("td", {}, dateTime(i.createdAt)),
      h("td", { class: "mono", title: i.instanceId }, i.instanceId),
      h("td", { class: `status status-${i.status}` }, i.status),
      h("td", { class: "num" }, int(ended)),
      h("td", { class: "num" }, took === null ? "—" : duration(took)),
      h("td", { class: "num" }, took ? int((ended * 1000) / took) : "—"),
      h("td", {}, r?.verdict ? (r.verdict.ok ? "PASS" : "FAIL") : "—"),
      h("td", {}, r ? r.faults.filter((f) => f.kind !== "speed").map((f) => `${f.kind} ${f.workerId}`).join(", ") : ""),
      h("td", { class: "muted" }, settings));
  }
}
