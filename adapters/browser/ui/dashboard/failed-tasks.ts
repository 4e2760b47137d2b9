/**
 * The failures of a finished instance in its panel: how many tasks failed
 * for good and the first errors the instance lists (B25), its failed tasks
 * with their error read page by page from the master ("more" follows the
 * cursor), and "Retry failed" (B26) while its tasks are kept.
 */
import { h, append, replace } from "../components/el.ts";
import { dateTime, int } from "../components/format.ts";
import type { InstanceView } from "../../../../src/master/master.ts";
import type { TaskView } from "../../../../src/master/task-pages.ts";
import type { Api } from "./api.ts";

/** Failed tasks read per page. */
const PAGE = 50;

/** The failures section of the instance panel. */
export class FailedTasks {
  readonly #count = h("p", { id: "failed-count" });
  readonly #errors = h("ul", { id: "first-errors", class: "errors mono" });
  readonly #body = h("tbody");
  readonly #note = h("p", { id: "failed-note", class: "muted" });
  readonly #more = h("button", { id: "failed-more", type: "button", class: "link", onclick: () => void this.#page() }, "more");
  readonly #retry = h("button", { id: "retry-failed", type: "button", class: "primary", onclick: () => void this.#retryFailed() }, "Retry failed");
  readonly el = h("div", { id: "failures", class: "failures", hidden: true },
    h("div", { class: "failures-head" }, this.#count, this.#retry),
    this.#errors,
    h("div", { class: "tasks-scroll" },
      h("table", { id: "failed-tasks", class: "tasks" },
        h("thead", {}, h("tr", {}, ...["task", "name", "attempt", "worker", "failed runs", "error"].map((t) => h("th", {}, t)))),
        this.#body)),
    this.#note, this.#more);

  /**
   * What the section shows: instance, cycle, status and what the record says of failures; any
   * change reads the list again (a last progress push may say FAILED before the final view
   * brings the failed count and retainUntil).
   */
  #shown = "";
  /** The instance whose tasks are listed, and where its next page starts (null: no more). */
  #id: string | null = null;
  #cursor: string | null = null;
  /** Grows at each new list, so a page arriving for an older one is dropped. */
  #generation = 0;

  /**
   * @param onRetried called with the instance once the master took the retry (it runs again).
   * @param onError called with what went wrong (a 401 included).
   */
  constructor(readonly api: Api, readonly onRetried: (v: InstanceView) => void, readonly onError: (e: unknown) => void) {}

  /** Shows the failures of `v` (null hides the section); the list is read once the instance has ended. */
  show(v: InstanceView | null): void {
    const key = v ? JSON.stringify([v.instanceId, v.serialNum, v.status, v.failedCount, v.retainUntil, v.errors.length]) : "";
    if (key === this.#shown) return;
    this.#shown = key;
    this.#generation++;
    this.#id = null;
    this.#cursor = null;
    replace(this.#body);
    this.#more.hidden = true;
    this.#note.textContent = "";
    const ended = v !== null && v.status !== "RUNNING";
    this.el.hidden = !ended || (v.status !== "FAILED" && v.failedCount === 0);
    if (!ended || this.el.hidden) return;
    this.el.dataset.failed = String(v.failedCount);
    this.#count.textContent = v.failedCount === 0 ? "no task failed for good" : `${int(v.failedCount)} task${v.failedCount === 1 ? "" : "s"} failed for good`;
    replace(this.#errors, ...v.errors.map((e) => h("li", { "data-task": e.taskId },
      `${e.taskId} · ${e.name} · attempt ${e.attempt} · ${e.worker ?? "no worker"}: `, h("span", { class: "error-text" }, e.message))));
    this.#errors.hidden = v.errors.length === 0;
    // The master keeps a failed instance's tasks until retainUntil (retainTasks, retainFor).
    this.#retry.hidden = !(v.status === "FAILED" && v.retainUntil !== null);
    if (v.retainUntil === null) {
      this.#note.textContent = "its tasks are not kept (retainTasks \"none\", or retainFor has passed): no list, no retry";
      return;
    }
    this.#note.textContent = `tasks kept until ${dateTime(v.retainUntil)}`;
    this.#id = v.instanceId;
    void this.#page();
  }

  /** Reads the next page of failed tasks and appends it. */
  async #page(): Promise<void> {
    const id = this.#id, generation = this.#generation;
    if (id === null) return;
    this.#more.disabled = true;
    try {
      const page = await this.api.tasks(id, { status: "FAILED", limit: PAGE, cursor: this.#cursor });
      if (generation !== this.#generation) return;
      append(this.#body, ...page.tasks.map((t) => row(t)));
      this.#cursor = page.cursor;
      this.#more.hidden = page.cursor === null;
      this.el.dataset.listed = String(this.#body.rows.length);
    } catch (e) {
      if (generation === this.#generation) this.onError(e);
    } finally {
      this.#more.disabled = false;
    }
  }

  async #retryFailed(): Promise<void> {
    const id = this.#id;
    if (id === null) return;
    this.#retry.disabled = true;
    try {
      this.onRetried(await this.api.retry(id));
    } catch (e) {
      this.onError(e);
    } finally {
      this.#retry.disabled = false;
    }
  }
}

function row(t: TaskView): HTMLElement {
  const message = t.error?.message ?? "";
  return h("tr", { "data-task": t.taskId },
    h("td", { class: "mono", title: t.taskId }, t.taskId),
    h("td", { class: "mono" }, t.name),
    h("td", { class: "num" }, t.attempt),
    h("td", { class: "mono" }, t.worker ?? "—"),
    h("td", { class: "num" }, t.failures),
    h("td", { class: "error-text", title: t.error?.stack ?? message }, message));
}
