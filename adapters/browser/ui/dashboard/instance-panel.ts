/**
 * The selected instance: its details (instance-details.ts), the buttons that
 * kill it and retry its failed tasks, its failures, the live line and the
 * progress bars per task name and per worker, the charts
 * (instance-charts.ts) and its tasks (tasks-table.ts). While it runs, the
 * panel follows its event stream; an ended one is drawn from what is stored.
 */
import { h } from "../components/el.ts";
import { int } from "../components/format.ts";
import { ProgressBars } from "../components/progress-bars.ts";
import { namesToRows, workersToRows } from "../components/rows.ts";
import type { InstanceProgress } from "../../../../src/master/index.ts";
import { ApiError, AuthError, type Api, type View } from "./api.ts";
import { Failures } from "./failures.ts";
import { taskCounts } from "./format-result.ts";
import { InstanceCharts } from "./instance-charts.ts";
import { InstanceDetails } from "./instance-details.ts";
import { TasksTable } from "./tasks-table.ts";

/** How long to wait before reopening a stream that ended while the instance still ran. */
const RECONNECT_MS = 1000;
/** How often the tasks page is read again while the instance runs. */
const TASKS_REFRESH_MS = 2000;

/** What a progress or done event carries (InstanceProgress or a view). */
type Live = Pick<View, "instanceId" | "status" | "result"> & Partial<View> & Partial<Pick<InstanceProgress, "names" | "workers">>;

/** The panel of one instance; `open` switches it to another. */
export class InstancePanel {
  readonly details = new InstanceDetails();
  readonly #live = h("p", { id: "live", class: "live" });
  readonly #message = h("p", { id: "panel-message", class: "message" });
  readonly #killButton = h("button", { id: "kill-instance", class: "danger", type: "button", onclick: () => void this.#kill() }, "Kill instance");
  readonly #retryButton = h("button", { id: "retry-failed", class: "primary", type: "button", onclick: () => void this.#retry() }, "Retry failed tasks");
  readonly #actions = h("div", { class: "actions" }, this.#killButton, this.#retryButton);
  readonly charts: InstanceCharts;
  readonly nameBars = new ProgressBars("Per task name", "no tasks yet", "done of each name's tasks known so far");
  readonly workerBars = new ProgressBars("Per worker", "no worker has had a task yet", "each worker's share of the tasks done, and how many it holds now");
  readonly failures = new Failures();
  readonly tasks: TasksTable;
  readonly el: HTMLElement;

  #view: View | null = null;
  #abort: AbortController | null = null;
  #lastTasksRead = 0;
  /** Status and retention the tasks table was last read for. */
  #tasksKey = "";

  /** @param onChange called when the instance's status changes (to refresh the list); onAuth on a 401. */
  constructor(readonly api: Api, readonly onChange: () => void, readonly onAuth: () => void) {
    this.charts = new InstanceCharts(api);
    this.tasks = new TasksTable(api, (taskId) => this.#killTask(taskId), (e) => this.#fail(e));
    this.el = h("section", { id: "panel", class: "card panel", hidden: true },
      this.details.el, this.#actions, this.#message, this.failures.el, this.#live,
      h("div", { class: "bars" }, this.nameBars.el, this.workerBars.el),
      h("div", { class: "charts" }, this.charts.throughput.el, this.charts.percent.el),
      this.tasks.el);
  }

  /** The instance shown, if any. */
  get instanceId(): string | null {
    return this.#view?.instanceId ?? null;
  }

  /** Shows `id` (null hides the panel) and follows its events while it runs. */
  async open(id: string | null): Promise<void> {
    this.#abort?.abort();
    this.#abort = null;
    this.#view = null;
    this.charts.clear();
    this.nameBars.update([]);
    this.workerBars.update([]);
    this.failures.show(null);
    this.tasks.show(null);
    this.#say("");
    this.el.hidden = id === null;
    if (id === null) return;
    const abort = new AbortController();
    this.#abort = abort;
    try {
      const v = await this.api.get(id);
      if (abort.signal.aborted) return;
      this.#apply(v);
      if (v.status === "RUNNING") void this.#follow(id, abort.signal);
      else void this.charts.drawEnded(v);
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Reads the event stream until `done`, reopening it when it drops while the instance runs. */
  async #follow(id: string, signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.#view?.status === "RUNNING") {
      try {
        await this.api.events(id, (e) => {
          if (signal.aborted) return;
          if (e.event === "progress" || e.event === "done") this.#apply(JSON.parse(e.data) as Live);
        }, signal);
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof AuthError) return this.#fail(e);
        this.#say(`event stream: ${e instanceof Error ? e.message : String(e)}; retrying`, true);
      }
      if (this.#view?.status !== "RUNNING" || signal.aborted) break;
      await new Promise((r) => setTimeout(r, RECONNECT_MS));
    }
    // The final view (a done event carries it; a dropped stream may not have): read it once more.
    if (!signal.aborted) {
      try {
        this.#apply(await this.api.get(id));
      } catch (e) {
        if (!signal.aborted) this.#fail(e);
      }
    }
  }

  /** Takes a view (GET, done event) or a progress push (names/workers at top level). */
  #apply(e: Live): void {
    const before = this.#view;
    const { names, workers, ...fields } = e;
    const progress = names && workers ? { names, workers } : e.progress ?? before?.progress ?? null;
    // A progress push carries only what changes; the rest stays from the view read before.
    const v = { ...before, ...fields, progress } as View;
    this.#view = v;
    this.el.dataset.instance = v.instanceId;
    this.el.dataset.status = v.status;
    this.details.show(v);
    this.#killButton.hidden = v.status !== "RUNNING";
    // The master keeps a failed instance's tasks until retainUntil (retainTasks, retainFor): only then can it retry.
    this.#retryButton.hidden = !(v.status === "FAILED" && v.retainUntil !== null);
    this.failures.show(v);
    this.#showCounts(v);
    if (progress) {
      this.nameBars.update(namesToRows(progress.names));
      this.workerBars.update(workersToRows(progress.workers));
      if (v.status === "RUNNING" || before?.status === "RUNNING") this.charts.sample(v);
    }
    // The tasks table: a new instance or run starts at its first page (a FAILED one at its failed tasks);
    // its end — and the final view after it, which says whether its tasks are kept — shows the final
    // rows; a running one is read again now and then.
    const failedFirst = v.status === "FAILED" ? "FAILED" : "";
    const key = `${v.status}#${v.retainUntil}`;
    if (before === null || v.serialNum !== before.serialNum) {
      this.tasks.show(v, { status: failedFirst });
      this.#lastTasksRead = Date.now();
    } else if (v.status !== "RUNNING" && key !== this.#tasksKey) {
      this.charts.ended(v);
      this.tasks.show(v);
      this.tasks.reload(failedFirst || undefined);
    } else if (v.status === "RUNNING" && Date.now() - this.#lastTasksRead >= TASKS_REFRESH_MS) {
      this.#lastTasksRead = Date.now();
      this.tasks.show(v);
      void this.tasks.load();
    }
    this.#tasksKey = key;
    if (before !== null && before.status !== v.status) this.onChange();
  }

  /** The live line: what each number counts, so it adds up with the failures box. */
  #showCounts(v: View): void {
    const c = taskCounts(v.progress);
    this.#live.dataset.ended = String(c.ended);
    this.#live.dataset.success = String(c.success);
    this.#live.dataset.total = String(c.total);
    this.#live.textContent = v.progress === null ? "no progress recorded"
      : `${int(c.ended)} of ${int(c.total)} tasks ended (ROOT, ${int(c.subTasks)} sub-tasks${v.progress.names.REDUCE ? ", REDUCE" : ""}): ` +
        `${int(c.success)} succeeded, ${int(c.failed)} failed`;
  }

  /** The master took a retry (B26): the instance runs again, so it is followed live from the start. */
  async #retry(): Promise<void> {
    const id = this.instanceId;
    if (!id) return;
    this.#retryButton.disabled = true;
    try {
      const v = await this.api.retry(id);
      this.onChange();
      await this.open(v.instanceId);
      this.#say(`retrying its failed tasks (cycle ${v.serialNum})`);
    } catch (e) {
      this.#fail(e);
    } finally {
      this.#retryButton.disabled = false;
    }
  }

  async #kill(): Promise<void> {
    const id = this.instanceId;
    if (!id || !confirm(`Kill instance ${id}? Its unfinished tasks fail and it ends FAILED.`)) return;
    try {
      await this.api.kill(id, "killed from the dashboard");
      this.#say("kill sent");
      this.onChange();
    } catch (e) {
      this.#fail(e);
    }
  }

  async #killTask(taskId: string): Promise<void> {
    const id = this.instanceId;
    if (!id) return;
    try {
      await this.api.killTask(id, taskId, "killed from the dashboard");
      this.#say(`task ${taskId} killed`);
    } catch (e) {
      // The row was read a moment ago: the task may have ended since.
      if (e instanceof ApiError && e.status === 404) return this.#say(`task ${taskId} is no longer unfinished: nothing to kill`);
      this.#fail(e);
    }
  }

  #fail(e: unknown): void {
    if (e instanceof AuthError) this.onAuth();
    this.#say(e instanceof Error ? e.message : String(e), true);
  }

  #say(text: string, error = false): void {
    this.#message.textContent = text;
    this.#message.classList.toggle("error", error);
  }
}
