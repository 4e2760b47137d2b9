/**
 * The instances table: newest first, filtered by status and processor, a page
 * at a time (older / newer), with status, processor, tasks ended of known,
 * time taken and result. A running instance's stored record has no progress
 * yet, so its tasks column comes from its live view. Clicking a row selects
 * that instance.
 */
import { h, replace } from "../components/el.ts";
import { dateTime, duration, int } from "../components/format.ts";
import { ApiError, INSTANCE_STATUSES, type Api, type InstancePage, type ProcessorInfo, type View } from "./api.ts";
import { resultText, taskCounts } from "./format-result.ts";

/** Page sizes offered. */
const PAGE_SIZES = [10, 25, 50, 100];
/** Running instances whose live view is read at each refresh, at most. */
const LIVE_ROWS = 10;

/** The list of the master's instances. */
export class InstanceList {
  readonly #body = h("tbody");
  readonly #status = h("select", { id: "filter-status", onchange: () => this.#filtered() },
    h("option", { value: "" }, "any status"), ...INSTANCE_STATUSES.map((s) => h("option", { value: s }, s)));
  readonly #processor = h("select", { id: "filter-processor", onchange: () => this.#filtered() }, h("option", { value: "" }, "any processor"));
  readonly #size = h("select", { id: "page-size", onchange: () => this.#filtered() },
    ...PAGE_SIZES.map((n) => h("option", { value: String(n), selected: n === 25 }, `${n} a page`)));
  readonly #newer = h("button", { id: "page-newer", type: "button", onclick: () => this.#turn(-1) }, "← newer");
  readonly #older = h("button", { id: "page-older", type: "button", onclick: () => this.#turn(1) }, "older →");
  readonly #pageInfo = h("span", { id: "page-info", class: "muted" });
  readonly el = h("section", { class: "card instances" },
    h("div", { class: "list-head" }, h("h2", {}, "Instances"),
      h("label", {}, "status ", this.#status), h("label", {}, "processor ", this.#processor), this.#size,
      h("span", { class: "pager" }, this.#newer, this.#pageInfo, this.#older)),
    h("div", { class: "instances-scroll" },
      h("table", { id: "instances" },
        h("thead", {}, h("tr", {}, ...["created", "instance", "processor", "status", "tasks ended / known", "took", "result"].map((t) => h("th", {}, t)))),
        this.#body)));
  #selected: string | null = null;
  #last: readonly View[] = [];
  /** The `before` cursor of each page from the first to the one shown (null: the first). */
  #pages: (string | null)[] = [null];
  #page: InstancePage | null = null;
  /** Live views of running instances, by id. */
  #live = new Map<string, View>();
  /** Grows with each change of filter or page, so an older answer is dropped. */
  #generation = 0;

  /**
   * @param onPick called with the instance clicked.
   * @param onTurn called after a filter or page change (the page's status line follows).
   */
  constructor(readonly api: Api, readonly onPick: (instanceId: string) => void, readonly onTurn: () => void = () => undefined) {}

  /** What the filters ask for now. */
  get query(): { status: string; processor: string; limit: number } {
    return { status: this.#status.value, processor: this.#processor.value, limit: Number(this.#size.value) };
  }

  /** Offers these processors in the filter (with any seen in the list), keeping the choice. */
  setProcessors(list: readonly ProcessorInfo[]): void {
    this.#offer(list.map((p) => p.name));
  }

  /** Highlights the selected instance. */
  select(id: string | null): void {
    this.#selected = id;
    this.#render();
  }

  /** Reads the page shown again (and the live counts of its running instances); resolves with it. */
  async refresh(): Promise<InstancePage> {
    const generation = this.#generation;
    let page: InstancePage;
    try {
      page = await this.api.list({ ...this.query, before: this.#pages[this.#pages.length - 1] ?? null });
    } catch (e) {
      // The instance a page started after is gone (its record swept): start again from the newest.
      if (!(e instanceof ApiError && e.field === "before" && this.#pages.length > 1)) throw e;
      this.#pages = [null];
      page = await this.api.list({ ...this.query, before: null });
    }
    if (generation !== this.#generation) return page;
    this.#page = page;
    this.#last = page.instances;
    this.#offer(page.instances.map((i) => i.processor));
    await this.#readLive(page.instances);
    if (generation === this.#generation) this.#render();
    return page;
  }

  /** Live views of the running instances of a page (their stored records have no progress yet). */
  async #readLive(instances: readonly View[]): Promise<void> {
    const running = instances.filter((i) => i.status === "RUNNING").slice(0, LIVE_ROWS);
    const views = await Promise.all(running.map((i) => this.api.get(i.instanceId).catch(() => null)));
    this.#live = new Map(views.filter((v): v is View => v !== null).map((v) => [v.instanceId, v]));
  }

  #filtered(): void {
    this.#generation++;
    this.#pages = [null];
    this.onTurn();
  }

  #turn(step: 1 | -1): void {
    if (step === 1 && this.#page?.next) this.#pages.push(this.#page.next);
    else if (step === -1 && this.#pages.length > 1) this.#pages.pop();
    else return;
    this.#generation++;
    this.onTurn();
  }

  #offer(names: readonly string[]): void {
    const have = new Set([...this.#processor.options].map((o) => o.value));
    for (const n of [...new Set(names)].sort()) if (!have.has(n)) this.#processor.append(h("option", { value: n }, n));
  }

  #render(): void {
    const page = this.#page;
    const n = this.#pages.length;
    this.#newer.disabled = n <= 1;
    this.#older.disabled = !page?.next;
    this.#pageInfo.textContent = page?.next === undefined
      ? "newest first (this master does not page its list)"
      : `page ${n}${page.next === null ? " (last)" : ""}`;
    this.#pageInfo.dataset.page = String(n);
    if (this.#last.length === 0) {
      const q = this.query;
      const why = q.status || q.processor ? "no instance matches these filters" : "no instances yet: submit one below, with `taskmill submit`, or POST /api/instances";
      return replace(this.#body, h("tr", {}, h("td", { colspan: 7, class: "muted" }, why)));
    }
    replace(this.#body, ...this.#last.map((i) => this.#row(i)));
  }

  #row(stored: View): HTMLElement {
    const i = this.#live.get(stored.instanceId) ?? stored;
    const took = i.finishedAt === null ? Date.now() - i.createdAt : i.finishedAt - i.createdAt;
    const c = taskCounts(i.progress);
    const tasks = i.progress ? `${int(c.ended)} / ${int(c.total)}` : "—";
    return h("tr", {
      "data-instance": i.instanceId, "data-status": i.status,
      class: `pick${i.instanceId === this.#selected ? " selected" : ""}`,
      onclick: () => this.onPick(i.instanceId),
    },
      h("td", {}, dateTime(i.createdAt)),
      h("td", { class: "mono", title: i.instanceId }, i.instanceId),
      h("td", { class: "mono", title: i.processor }, i.processor),
      h("td", { class: `status status-${i.status}` }, i.status),
      h("td", { class: "num tasks-col", title: i.progress ? `${int(c.ended)} of ${int(c.total)} tasks ended, ${int(c.failed)} failed` : "no progress recorded" }, tasks),
      h("td", { class: "num" }, i.finishedAt === null ? `${duration(took)}…` : duration(took)),
      h("td", { class: "result mono", title: resultText(i, 10_000) }, resultText(i)));
  }
}
