/**
 * The harness's page: controls and fleet on the left; status line, progress
 * bars, charts and verdict of the run in the middle; history below. What a
 * test needs to read is also in `snapshot()`.
 */
import { h, replace } from "../components/el.ts";
import { duration, int } from "../components/format.ts";
import type { InstanceProgress } from "../../../../src/master/index.ts";
import { checkConfig, DEFAULT_CONFIG, taskCount, type SimConfig } from "./config.ts";
import { Controls } from "./controls.ts";
import { FleetTable } from "./fleet-table.ts";
import type { FaultEvent } from "./fleet.ts";
import type { Harness, LiveRun } from "./harness.ts";
import type { RunRecord } from "./history.ts";
import { HistoryTable } from "./history-table.ts";
import { ended, RunPanels } from "./monitor.ts";
import { VerdictView } from "./verdict-view.ts";

const CONFIG_KEY = "taskmill-sim-config";

/** What the page shows now, for tests and the console. */
export interface Snapshot {
  phase: "loading" | "ready" | "running" | "finished" | "error";
  instanceId: string | null;
  progress: Pick<InstanceProgress, "names" | "workers"> | null;
  record: RunRecord | null;
  error: string | null;
}

/** Tags of worker keys ("w2#3") from a run's faults: the last state each worker was put in. */
function faultNotes(faults: readonly FaultEvent[], keys: readonly string[]): Record<string, string> {
  const state = new Map<string, string>();
  for (const f of faults) {
    if (f.kind === "kill") state.set(f.workerId, "killed");
    else if (f.kind === "cut") state.set(f.workerId, "cut");
    else if (f.kind === "reconnect") state.delete(f.workerId);
  }
  return Object.fromEntries(keys.flatMap((k) => {
    const note = state.get(k.split("#")[0]!);
    return note ? [[k, note]] : [];
  }));
}

function savedConfig(): SimConfig {
  try {
    return checkConfig(JSON.parse(localStorage.getItem(CONFIG_KEY) ?? "{}") as Partial<SimConfig>);
  } catch {
    return { ...DEFAULT_CONFIG };
  }
}

/** The page of one Harness. */
export class SimPage {
  readonly panels = new RunPanels();
  readonly controls: Controls;
  readonly verdict = new VerdictView();
  readonly history: HistoryTable;
  readonly status = h("p", { id: "status", class: "status-line", "data-phase": "loading" }, "starting the master…");
  readonly #snap: Snapshot = { phase: "loading", instanceId: null, progress: null, record: null, error: null };

  constructor(readonly harness: Harness, root: HTMLElement) {
    this.controls = new Controls(savedConfig(), () => void this.start());
    this.history = new HistoryTable((id) => void this.showPast(id));
    const p = this.panels;
    replace(root,
      h("header", {}, h("h1", {}, "taskmill · simulation harness"),
        // Served under the master's /sim/, its operations console is one level up (`npm run sim` serves the page alone).
        h("a", { id: "to-console", href: "../", class: "muted", hidden: !/\/sim\/(index\.html)?$/.test(location.pathname) }, "← operations console"),
        h("p", { class: "muted" }, "the real Master on the WASM core, in this page · workers in Web Workers over MessagePorts · tasks in IndexedDB (IdbStore)")),
      h("div", { class: "layout" },
        h("aside", {}, this.controls.el, new FleetTable(harness.fleet).el),
        h("section", { class: "run" }, this.status, p.nameBars.el,
          h("div", { class: "charts" }, p.throughput.el, p.names.el, p.workers.el),
          p.workerBars.el, this.verdict.el)),
      this.history.el);
    this.controls.el.addEventListener("input", () => this.#showTotal());
    this.#showTotal();
  }

  snapshot(): Snapshot {
    return structuredClone(this.#snap);
  }

  /** After the master started: shows the history and watches a run resumed from a previous page. */
  async ready(): Promise<void> {
    await this.refreshHistory();
    const [resumed] = await this.harness.resumed();
    if (resumed) {
      this.#setPhase("running", `resuming ${resumed.instanceId} (left running by the last page)…`);
      await this.#follow(await this.harness.resume(resumed, this.#events()));
      return;
    }
    this.#setPhase("ready", "ready: set up a run and start it");
  }

  async start(): Promise<void> {
    const raw = this.controls.read();
    try {
      localStorage.setItem(CONFIG_KEY, JSON.stringify(this.harness.check(raw)));
      this.controls.busy = true;
      this.verdict.show(null);
      this.#setPhase("running", "starting the workers…");
      const run = await this.harness.start(raw, this.#events());
      await this.refreshHistory();
      await this.#follow(run);
    } catch (e) {
      this.#fail(e);
    } finally {
      this.controls.busy = false;
    }
  }

  async refreshHistory(): Promise<void> {
    const { instances, records } = await this.harness.past();
    this.history.show(instances, records);
  }

  /** Shows a past run's verdict and charts. */
  async showPast(instanceId: string): Promise<void> {
    if (this.#snap.phase === "running") return;
    const r = await this.harness.history.get(instanceId);
    const v = await this.harness.master.get(instanceId);
    if (r?.charts) {
      this.panels.throughput.show(r.charts.throughput);
      this.panels.names.show(r.charts.names);
      this.panels.workers.show(r.charts.workers);
    } else this.panels.clear();
    if (v?.progress) this.panels.bars(v.progress, faultNotes(r?.faults ?? [], Object.keys(v.progress.workers)));
    this.verdict.show(r?.verdict ?? null, `Verdict of ${instanceId}`);
    this.status.textContent = `showing ${instanceId}: ${v?.status ?? "unknown"}`;
  }

  #events() {
    return { panels: this.panels, tick: (run: LiveRun, p: InstanceProgress, rate: number) => this.#tick(run, p, rate) };
  }

  async #follow(run: LiveRun): Promise<void> {
    this.#snap.instanceId = run.instanceId;
    this.#snap.record = null;
    const record = await run.done;
    this.#snap.record = record;
    this.#snap.progress = (await this.harness.master.get(run.instanceId))?.progress ?? null;
    this.verdict.show(record.verdict);
    this.#setPhase("finished", `${record.status} · ${run.instanceId} · ${int(record.tasks)} tasks in ${duration((record.finishedAt ?? Date.now()) - record.startedAt)}`);
    await this.refreshHistory();
  }

  #tick(run: LiveRun, p: InstanceProgress, rate: number): void {
    this.#snap.progress = { names: p.names, workers: p.workers };
    const total = Object.values(p.names).reduce((s, n) => s + n.total, 0);
    this.status.textContent = `running ${run.instanceId} · ${duration(Date.now() - run.startedAt)} · ` +
      `${int(ended(p))} / ${int(total)} tasks · ${int(rate)} tasks/s`;
  }

  #setPhase(phase: Snapshot["phase"], text: string): void {
    this.#snap.phase = phase;
    this.status.dataset.phase = phase;
    this.status.textContent = text;
  }

  #fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.#snap.error = message;
    this.#setPhase("error", `error: ${message}`);
  }

  #showTotal(): void {
    const c = this.controls.read();
    const el = this.controls.el.querySelector("#total")!;
    el.textContent = Number.isInteger(c.level1) && Number.isInteger(c.level2) ? `${int(taskCount({ level1: c.level1!, level2: c.level2! }))} tasks` : "";
  }
}
