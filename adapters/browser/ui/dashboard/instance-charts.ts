/**
 * The instance panel's charts: throughput (succeeded/s green, failed/s red)
 * and % done per task name. While the panel follows a running instance they
 * grow from its progress events, and what they drew is kept in this browser
 * (localStorage) when it ends. An ended instance is drawn from, in order: what
 * this browser recorded of it; its stored tasks' end times (while they are
 * kept and there are at most MAX_TASKS); else its stored final counts, as the
 * average rate over its run and the final % done — and the chart says which.
 */
import { STATE_COLORS } from "../components/colors.ts";
import { int } from "../components/format.ts";
import { TimeChart, type SeriesData } from "../components/time-chart.ts";
import type { TaskView } from "../../../../src/master/task-pages.ts";
import type { Api, View } from "./api.ts";
import { FAILED, fromCounts, fromTasks, SUCCEEDED } from "./chart-data.ts";
import { taskCounts } from "./format-result.ts";

/** Shortest span of one throughput point, ms. */
const MIN_SPAN_MS = 150;
/** Most tasks read to draw an ended instance from its tasks' end times. */
export const MAX_TASKS = 20_000;
/** Recorded charts kept in localStorage, at most. */
const KEEP = 30;
const STORE_KEY = "taskmill.charts";

const COLORS = { [SUCCEEDED]: STATE_COLORS.succeeded, [FAILED]: STATE_COLORS.failed };

/** Charts recorded live, by instance and cycle. */
interface Recorded {
  key: string;
  throughput: SeriesData;
  percent: SeriesData;
}

/** The charts of the instance panel. */
export class InstanceCharts {
  readonly throughput = new TimeChart({ title: "Throughput", unit: "tasks/s", height: 170, colors: COLORS });
  readonly percent = new TimeChart({ title: "Done per task name", unit: "% done", height: 170, yRange: [0, 100] });
  #last: { at: number; success: number; failed: number } | null = null;
  /** Whether the points drawn come from live events (and are worth keeping). */
  #live = false;
  /** Once the followed run ended: keep its live charts, or redraw it as an ended one. */
  #ending: "keep" | "redraw" | null = null;
  #generation = 0;

  constructor(readonly api: Api) {}

  /** Empties the charts (another instance is shown). */
  clear(): void {
    this.#generation++;
    this.#last = null;
    this.#live = false;
    this.#ending = null;
    this.throughput.clear();
    this.percent.clear();
  }

  /**
   * One progress event of a running instance: % done per name at once;
   * succeeded and failed tasks per second over at least MIN_SPAN_MS since the
   * previous throughput point (events closer together would make spikes).
   */
  sample(v: View): void {
    const p = v.progress;
    if (!p) return;
    const c = taskCounts(p);
    const now = Date.now();
    const t = (now - v.createdAt) / 1000;
    const pct: Record<string, number> = {};
    for (const [k, n] of Object.entries(p.names)) pct[k] = n.total > 0 ? (100 * (n.success + n.failed)) / n.total : 0;
    this.#live = true;
    this.throughput.note = "";
    this.percent.note = "";
    this.percent.push(t, pct);
    if (this.#last === null) {
      this.#last = { at: now, success: c.success, failed: c.failed };
      return;
    }
    const span = now - this.#last.at;
    if (span < MIN_SPAN_MS) return;
    this.throughput.push(t, {
      [SUCCEEDED]: Math.round(((c.success - this.#last.success) * 1000) / span),
      [FAILED]: Math.round(((c.failed - this.#last.failed) * 1000) / span),
    });
    this.#last = { at: now, success: c.success, failed: c.failed };
  }

  /**
   * The instance ended while followed (called again as its final view comes): keeps what was
   * drawn, for when it is opened again — unless the run was too short for a throughput point (a
   * retry of a few tasks), then it is drawn as an ended one, from the latest view.
   */
  ended(v: View): void {
    if (this.#ending === null) {
      if (!this.#live) return;
      this.#ending = this.throughput.data.t.length >= 2 ? "keep" : "redraw";
    }
    if (this.#ending === "keep") record({ key: keyOf(v), throughput: this.throughput.data, percent: this.percent.data });
    else void this.drawEnded(v);
  }

  /** Draws an instance that had ended when it was opened. */
  async drawEnded(v: View): Promise<void> {
    const generation = ++this.#generation;
    const kept = recorded(keyOf(v));
    if (kept) {
      this.throughput.show(kept.throughput);
      this.percent.show(kept.percent);
      this.#say("as this browser drew it live");
      return;
    }
    const c = taskCounts(v.progress);
    if (v.retainUntil !== null && c.total > 0 && c.total <= MAX_TASKS) {
      try {
        const tasks = await this.#allTasks(v, generation);
        if (tasks === null) return;
        if (tasks.length > 0) {
          const drawn = fromTasks(v, tasks);
          this.throughput.show(drawn.throughput);
          this.percent.show(drawn.percent);
          this.#say(`from the end times of its ${int(tasks.length)} stored tasks`);
          return;
        }
      } catch {
        // Fall back to the stored counts below.
      }
    }
    if (generation !== this.#generation) return;
    const drawn = fromCounts(v);
    this.throughput.show(drawn.throughput);
    this.percent.show(drawn.percent);
    this.#say(c.total === 0 ? "no progress stored" : "from its stored final counts: the average rate over its run and the final % done (its tasks are not kept)");
  }

  #say(text: string): void {
    this.throughput.note = text;
    this.percent.note = text;
  }

  /** Every stored task of `v` (null when another instance was opened meanwhile). */
  async #allTasks(v: View, generation: number): Promise<TaskView[] | null> {
    const out: TaskView[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.api.tasks(v.instanceId, { limit: 1000, cursor });
      if (generation !== this.#generation) return null;
      out.push(...page.tasks);
      cursor = page.cursor;
    } while (cursor !== null && out.length < MAX_TASKS);
    return out;
  }
}

function keyOf(v: View): string {
  return `${v.instanceId}#${v.serialNum}`;
}

function recordedAll(): Recorded[] {
  try {
    const all = JSON.parse(localStorage.getItem(STORE_KEY) ?? "[]") as unknown;
    return Array.isArray(all) ? all as Recorded[] : [];
  } catch {
    return [];
  }
}

function recorded(key: string): Recorded | null {
  return recordedAll().find((r) => r.key === key) ?? null;
}

function record(r: Recorded): void {
  const all = [r, ...recordedAll().filter((x) => x.key !== r.key)].slice(0, KEEP);
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify(all));
  } catch {
    // Storage full or denied: the chart is only not kept.
  }
}
