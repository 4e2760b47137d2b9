/**
 * The selected instance: its header (status, processor, times, result),
 * kill buttons (the instance, one task by id), once it has ended its failed
 * tasks with their errors and "Retry failed" (failed-tasks.ts), and while it
 * runs live progress from its event stream — bars per task name and per
 * worker, a throughput chart and % done per task name.
 */
import { h, replace } from "../components/el.ts";
import { dateTime, duration, int } from "../components/format.ts";
import { ProgressBars } from "../components/progress-bars.ts";
import { namesToRows, workersToRows } from "../components/rows.ts";
import { TimeChart } from "../components/time-chart.ts";
import type { InstanceView } from "../../../../src/master/master.ts";
import { DEFAULT_SETTINGS } from "../../../../src/master/settings.ts";
import type { Progress } from "../../../../src/store/task-store.ts";
import { AuthError, type Api } from "./api.ts";
import { resultText } from "./format-result.ts";
import { FailedTasks } from "./failed-tasks.ts";

/** How long to wait before reopening a stream that ended while the instance still ran. */
const RECONNECT_MS = 1000;
/** Shortest span of one throughput point, ms. */
const MIN_SPAN_MS = 150;

/** What a progress or done event carries (InstanceProgress or InstanceView). */
type Live = Pick<InstanceView, "instanceId" | "status" | "result"> & Partial<InstanceView> & Partial<Progress>;

/** The panel of one instance; `open` switches it to another. */
export class InstancePanel {
  readonly #head = h("div", { class: "panel-head" });
  readonly #live = h("p", { id: "live", class: "live muted" });
  readonly #message = h("p", { id: "panel-message", class: "message" });
  readonly #killButton = h("button", { id: "kill-instance", class: "danger", type: "button", onclick: () => void this.#kill() }, "Kill instance");
  readonly #taskInput = h("input", { id: "kill-task-id", type: "text", placeholder: "task id", required: true, autocomplete: "off" });
  readonly #taskForm = h("form", { id: "kill-task", class: "kill-task", onsubmit: (e: Event) => { e.preventDefault(); void this.#killTask(); } },
    this.#taskInput, h("button", { type: "submit", class: "danger" }, "Kill task"));
  readonly #actions = h("div", { class: "actions" }, this.#killButton, this.#taskForm);
  readonly throughput = new TimeChart({ title: "Throughput", unit: "tasks/s", height: 180 });
  readonly percent = new TimeChart({ title: "Done per task name", unit: "% done", height: 180, yRange: [0, 100] });
  readonly nameBars = new ProgressBars("Per task name", "no tasks yet");
  readonly workerBars = new ProgressBars("Per worker", "no worker has had a task yet");
  /** Failed tasks and "Retry failed" of an ended instance (made in the constructor: it needs the api). */
  readonly failures: FailedTasks;
  readonly el: HTMLElement;

  #view: InstanceView | null = null;
  #abort: AbortController | null = null;
  #last: { at: number; success: number; failed: number } | null = null;

  /** @param onChange called when the instance's status changes (to refresh the list); onAuth on a 401. */
  constructor(readonly api: Api, readonly onChange: () => void, readonly onAuth: () => void) {
    this.failures = new FailedTasks(api, (v) => void this.#retried(v), (e) => this.#fail(e));
    this.el = h("section", { id: "panel", class: "card panel", hidden: true },
      this.#head, this.#actions, this.#message, this.failures.el, this.#live,
      h("div", { class: "bars" }, this.nameBars.el, this.workerBars.el),
      h("div", { class: "charts" }, this.throughput.el, this.percent.el));
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
    this.#last = null;
    this.throughput.clear();
    this.percent.clear();
    this.nameBars.update([]);
    this.workerBars.update([]);
    this.failures.show(null);
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
  }

  /** Takes a view (GET, done event) or a progress push (names/workers at top level). */
  #apply(e: Live): void {
    const was = this.#view?.status;
    const progress = e.names && e.workers ? { names: e.names, workers: e.workers } : e.progress ?? this.#view?.progress ?? null;
    const v: InstanceView = {
      instanceId: e.instanceId,
      processor: e.processor ?? this.#view?.processor ?? "",
      status: e.status,
      result: e.result,
      serialNum: e.serialNum ?? this.#view?.serialNum ?? 0,
      // A progress push carries none of these; the panel does not show them yet.
      params: e.params ?? this.#view?.params ?? null,
      settings: e.settings ?? this.#view?.settings ?? DEFAULT_SETTINGS,
      startedAt: e.startedAt ?? this.#view?.startedAt ?? null,
      createdAt: e.createdAt ?? this.#view?.createdAt ?? Date.now(),
      finishedAt: e.finishedAt ?? this.#view?.finishedAt ?? null,
      progress,
      failedCount: e.failedCount ?? this.#view?.failedCount ?? 0,
      errors: e.errors ?? this.#view?.errors ?? [],
      retainUntil: e.retainUntil ?? this.#view?.retainUntil ?? null,
    };
    this.#view = v;
    this.el.dataset.instance = v.instanceId;
    this.el.dataset.status = v.status;
    this.#renderHead(v);
    this.failures.show(v);
    if (progress) {
      this.nameBars.update(namesToRows(progress.names));
      this.workerBars.update(workersToRows(progress.workers));
      this.#sample(v, progress);
    }
    if (was !== undefined && was !== v.status) this.onChange();
  }

  /**
   * Chart points: % done per name on each event; succeeded and failed tasks
   * per second over at least MIN_SPAN_MS since the previous throughput point
   * (events closer together, like the final one, would make spikes).
   */
  #sample(v: InstanceView, p: NonNullable<InstanceView["progress"]>): void {
    let success = 0, failed = 0, total = 0;
    for (const c of Object.values(p.names)) { success += c.success; failed += c.failed; total += c.total; }
    this.#live.dataset.ended = String(success + failed);
    this.#live.dataset.success = String(success);
    this.#live.dataset.total = String(total);
    this.#live.textContent = `${int(success + failed)} of ${int(total)} tasks ended: ${int(success)} succeeded, ${int(failed)} failed`;
    if (v.status !== "RUNNING" && this.#last === null) return; // finished before we looked: no live chart
    const now = Date.now();
    const t = (now - v.createdAt) / 1000;
    const pct: Record<string, number> = {};
    for (const [k, c] of Object.entries(p.names)) pct[k] = c.total > 0 ? (100 * (c.success + c.failed)) / c.total : 0;
    this.percent.push(t, pct);
    if (this.#last === null) {
      this.#last = { at: now, success, failed };
      return;
    }
    const span = now - this.#last.at;
    if (span < MIN_SPAN_MS) return;
    this.throughput.push(t, {
      "succeeded/s": Math.round(((success - this.#last.success) * 1000) / span),
      "failed/s": Math.round(((failed - this.#last.failed) * 1000) / span),
    });
    this.#last = { at: now, success, failed };
  }

  #renderHead(v: InstanceView): void {
    const end = v.finishedAt ?? Date.now();
    replace(this.#head,
      h("h2", {}, "Instance ", h("span", { class: "mono" }, v.instanceId)),
      h("p", {},
        h("span", { id: "panel-status", class: `badge status-${v.status}` }, v.status), " ",
        h("span", { class: "mono" }, v.processor),
        h("span", { class: "muted" }, ` · created ${dateTime(v.createdAt)} · ${v.finishedAt === null ? "running for" : "took"} ${duration(end - v.createdAt)}${v.serialNum > 1 ? ` · cycle ${v.serialNum}` : ""}`)),
      h("p", {}, h("span", { class: "muted" }, "result: "), h("span", { id: "panel-result", class: "mono" }, resultText(v, 400))));
    this.#actions.hidden = v.status !== "RUNNING";
  }

  /** The master took a retry (B26): the instance runs again, so it is followed live from the start. */
  async #retried(v: InstanceView): Promise<void> {
    this.onChange();
    await this.open(v.instanceId);
    this.#say(`retrying its failed tasks (cycle ${v.serialNum})`);
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

  async #killTask(): Promise<void> {
    const id = this.instanceId, taskId = this.#taskInput.value.trim();
    if (!id || !taskId) return;
    try {
      await this.api.killTask(id, taskId, "killed from the dashboard");
      this.#say(`task ${taskId} killed`);
      this.#taskInput.value = "";
    } catch (e) {
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
