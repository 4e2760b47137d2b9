/**
 * An instance's tasks in its panel (B25): a page at a time in task order,
 * filtered by status and name, each with its status, attempt, failed runs,
 * worker, last write and error; while the instance runs, a Kill button on
 * every unfinished task. Pages go forward through the master's cursor and back
 * through the cursors already seen.
 */
import { h, replace } from "../components/el.ts";
import { dateTime, int } from "../components/format.ts";
import type { TaskView } from "../../../../src/master/task-pages.ts";
import { TASK_STATUSES, type Api, type View } from "./api.ts";

/** Tasks read per page. */
export const TASK_PAGE = 50;
/** Statuses of a task that can still be killed. */
const UNFINISHED = new Set(["INIT", "PULLED", "RUNNING"]);

/** The tasks section of the instance panel. */
export class TasksTable {
  readonly #body = h("tbody");
  readonly #status = h("select", { id: "task-status", onchange: () => this.#first() },
    h("option", { value: "" }, "any status"), ...TASK_STATUSES.map((s) => h("option", { value: s }, s)));
  readonly #name = h("select", { id: "task-name", onchange: () => this.#first() }, h("option", { value: "" }, "any name"));
  readonly #prev = h("button", { id: "tasks-prev", type: "button", onclick: () => this.#turn(-1) }, "← previous");
  readonly #next = h("button", { id: "tasks-next", type: "button", onclick: () => this.#turn(1) }, "next →");
  readonly #refresh = h("button", { id: "tasks-refresh", type: "button", class: "link", onclick: () => void this.load() }, "refresh");
  readonly #info = h("span", { id: "tasks-info", class: "muted" });
  readonly #note = h("p", { id: "tasks-note", class: "muted" });
  readonly el = h("section", { id: "tasks", class: "tasks-section" },
    h("div", { class: "list-head" }, h("h3", {}, "Tasks"), h("label", {}, "status ", this.#status), h("label", {}, "name ", this.#name),
      h("span", { class: "pager" }, this.#prev, this.#info, this.#next), this.#refresh),
    this.#note,
    h("div", { class: "tasks-scroll" },
      h("table", { id: "task-table", class: "tasks" },
        h("thead", {}, h("tr", {}, ...["task", "name", "status", "attempt", "failed runs", "worker", "updated", "error", ""].map((t) => h("th", {}, t)))),
        this.#body)));

  #view: View | null = null;
  /** The cursor of each page from the first to the one shown (null: the first). */
  #cursors: (string | null)[] = [null];
  #nextCursor: string | null = null;
  #generation = 0;

  /**
   * @param onKill kills one task (the panel asks the master and says how it went).
   * @param onError called with what went wrong (a 401 included).
   */
  constructor(readonly api: Api, readonly onKill: (taskId: string) => Promise<void>, readonly onError: (e: unknown) => void) {}

  /** Shows the tasks of `v` (null empties the table); a new instance starts at its first page. */
  show(v: View | null, o: { status?: string } = {}): void {
    const changed = v?.instanceId !== this.#view?.instanceId || v?.serialNum !== this.#view?.serialNum;
    // Another instance has other task names.
    if (v?.instanceId !== this.#view?.instanceId) replace(this.#name, h("option", { value: "" }, "any name"));
    this.#view = v;
    this.#offerNames(Object.keys(v?.progress?.names ?? {}));
    if (!changed) return;
    if (o.status !== undefined) this.#status.value = o.status;
    this.#name.value = "";
    this.#cursors = [null];
    void this.load();
  }

  /** Reads the tasks again from the first page, filtered by `status` when given. */
  reload(status?: string): void {
    if (status !== undefined) this.#status.value = status;
    this.#first();
  }

  /** Reads the page shown again (its rows change while the instance runs). */
  async load(): Promise<void> {
    const v = this.#view, generation = ++this.#generation;
    if (v === null) {
      replace(this.#body);
      return;
    }
    if (v.status !== "RUNNING" && v.retainUntil === null) {
      replace(this.#body);
      this.#note.textContent = "its tasks are not kept once it ended (retainTasks, retainFor): nothing to list";
      this.#nextCursor = null;
      this.#pager(0);
      this.el.dataset.listed = "0";
      return;
    }
    this.#note.textContent = v.status === "RUNNING" ? "" : `kept until ${dateTime(v.retainUntil!)}`;
    try {
      const page = await this.api.tasks(v.instanceId, {
        status: this.#status.value || undefined, name: this.#name.value || undefined, limit: TASK_PAGE, cursor: this.#cursors[this.#cursors.length - 1],
      });
      if (generation !== this.#generation) return;
      const running = v.status === "RUNNING";
      replace(this.#body, ...page.tasks.map((t) => this.#row(t, running)));
      if (page.tasks.length === 0) replace(this.#body, h("tr", {}, h("td", { colspan: 9, class: "muted" }, "no task matches")));
      this.#nextCursor = page.cursor;
      this.#pager(page.tasks.length);
      this.el.dataset.listed = String(page.tasks.length);
    } catch (e) {
      if (generation === this.#generation) this.onError(e);
    }
  }

  #pager(shown: number): void {
    const n = this.#cursors.length;
    this.#prev.disabled = n <= 1;
    this.#next.disabled = this.#nextCursor === null;
    this.#info.textContent = shown === 0 && n === 1 ? "" : `page ${n} · ${int(shown)} task${shown === 1 ? "" : "s"}`;
    this.el.dataset.page = String(n);
  }

  #first(): void {
    this.#cursors = [null];
    void this.load();
  }

  #turn(step: 1 | -1): void {
    if (step === 1 && this.#nextCursor !== null) this.#cursors.push(this.#nextCursor);
    else if (step === -1 && this.#cursors.length > 1) this.#cursors.pop();
    else return;
    void this.load();
  }

  #offerNames(names: readonly string[]): void {
    const have = new Set([...this.#name.options].map((o) => o.value));
    for (const n of names) if (!have.has(n)) this.#name.append(h("option", { value: n }, n));
  }

  #row(t: TaskView, running: boolean): HTMLElement {
    const message = t.error?.message ?? "";
    const kill = running && UNFINISHED.has(t.status)
      ? h("button", { type: "button", class: "danger small kill-task", "data-task": t.taskId, onclick: (e: Event) => {
        (e.currentTarget as HTMLButtonElement).disabled = true;
        void this.onKill(t.taskId).finally(() => void this.load());
      } }, "Kill")
      : null;
    return h("tr", { "data-task": t.taskId, "data-status": t.status },
      h("td", { class: "mono", title: t.taskId }, t.taskId),
      h("td", { class: "mono", title: t.name }, t.name),
      h("td", { class: `status status-${t.status}` }, t.status),
      h("td", { class: "num" }, t.attempt),
      h("td", { class: "num" }, t.failures),
      h("td", { class: "mono wrap", title: t.worker ?? "" }, t.worker ?? "—"),
      // A task the master holds only in memory so far has no write time.
      h("td", { class: "mono", title: t.updatedAt > 0 ? dateTime(t.updatedAt) : "" }, t.updatedAt > 0 ? dateTime(t.updatedAt).slice(11) : "—"),
      h("td", { class: "error-text", title: t.error?.stack ?? message }, message),
      h("td", {}, kill));
  }
}
