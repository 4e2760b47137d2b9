/**
 * The head of the instance panel: id, status, processor and result; its
 * timings (submitted, started, finished, how long); what it was submitted
 * with (params) and its settings with their defaults filled in. A master that
 * does not send params, settings or startedAt gets "—".
 */
import { h, replace } from "../components/el.ts";
import { dateTime, duration } from "../components/format.ts";
import type { View } from "./api.ts";
import { jsonText, resultText } from "./format-result.ts";

/** The panel's head and details. */
export class InstanceDetails {
  readonly #head = h("div", { class: "panel-head" });
  readonly #times = h("dl", { id: "timings", class: "timings" });
  readonly #params = h("pre", { id: "panel-params", class: "json" });
  readonly #settings = h("pre", { id: "panel-settings", class: "json" });
  readonly #paramsLine = h("span", { class: "mono preview" });
  readonly #settingsLine = h("span", { class: "mono preview" });
  readonly el = h("div", { class: "details" }, this.#head, this.#times,
    h("div", { class: "json-row" },
      h("details", { id: "params-box", class: "json-box" }, h("summary", {}, "params ", this.#paramsLine), this.#params),
      h("details", { id: "settings-box", class: "json-box" }, h("summary", {}, "settings ", this.#settingsLine), this.#settings)));
  #shown = "";

  /** Shows `v`. */
  show(v: View): void {
    const end = v.finishedAt ?? Date.now();
    replace(this.#head,
      h("h2", {}, "Instance ", h("span", { class: "mono" }, v.instanceId)),
      h("p", {},
        h("span", { id: "panel-status", class: `badge status-${v.status}` }, v.status), " ",
        h("span", { class: "mono" }, v.processor), " ",
        h("span", { class: "muted" }, "result: "), h("span", { id: "panel-result", class: "mono", title: resultText(v, 10_000) }, resultText(v, 300))));
    const started = v.startedAt === undefined ? undefined : v.startedAt;
    const fact = (k: string, val: string, id?: string) => [h("dt", {}, k), h("dd", id ? { id } : {}, val)];
    replace(this.#times,
      ...fact("submitted", dateTime(v.createdAt)),
      ...fact("started", started === undefined || started === null ? "—" : dateTime(started), "panel-started"),
      ...fact("finished", v.finishedAt === null ? "running" : dateTime(v.finishedAt)),
      ...fact(v.finishedAt === null ? "running for" : "took", duration(end - v.createdAt)),
      ...(started !== undefined && started !== null && started !== v.createdAt
        ? fact("this run", duration(end - started)) : []),
      ...fact("cycle", String(v.serialNum)),
      ...(v.owner ? fact("owner", v.owner) : []));
    // Params and settings only change with the instance: redrawing them would close an open box's selection.
    const key = `${v.instanceId}#${v.serialNum}#${v.params === undefined}#${v.settings === undefined}`;
    if (key === this.#shown) return;
    this.#shown = key;
    this.#params.textContent = jsonText(v.params);
    this.#settings.textContent = jsonText(v.settings);
    // One line in the summary, the whole JSON when opened.
    this.#paramsLine.textContent = v.params === undefined ? "—" : JSON.stringify(v.params);
    this.#settingsLine.textContent = v.settings === undefined ? "—" : `${Object.keys(v.settings).length} settings, defaults filled in`;
  }
}
