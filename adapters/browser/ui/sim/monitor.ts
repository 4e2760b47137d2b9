/**
 * Watches one running instance: samples the master's live counters a few
 * times a second into the charts (throughput, % done per task name, tasks
 * done per worker) and the progress bars, until the instance is final.
 */
import type { Master } from "../../../../src/master/master.ts";
import type { InstanceProgress } from "../../../../src/master/index.ts";
import { ProgressBars } from "../components/progress-bars.ts";
import { namesToRows, workersToRows } from "../components/rows.ts";
import { TimeChart } from "../components/time-chart.ts";

/** Sampling period of the charts, ms. */
const SAMPLE_MS = 250;

/** Tasks ended (success + failed) over every name. */
export function ended(p: Pick<InstanceProgress, "names">): number {
  let n = 0;
  for (const c of Object.values(p.names)) n += c.success + c.failed;
  return n;
}

/** The charts and bars of a run; reused from run to run. */
export class RunPanels {
  readonly throughput = new TimeChart({ title: "Throughput", unit: "tasks/s" });
  readonly names = new TimeChart({ title: "Progress per task name", unit: "% done", yRange: [0, 100] });
  readonly workers = new TimeChart({ title: "Tasks done per worker", unit: "tasks" });
  readonly nameBars = new ProgressBars("Per task name");
  readonly workerBars = new ProgressBars("Per worker");

  /** Empties every panel. */
  clear(): void {
    for (const c of [this.throughput, this.names, this.workers]) c.clear();
    this.nameBars.update([]);
    this.workerBars.update([]);
  }

  /** Shows one sample of progress at `t` seconds into the run. */
  sample(t: number, p: Pick<InstanceProgress, "names" | "workers">, rate: number, notes: Record<string, string>): void {
    this.throughput.push(t, { "tasks/s": rate });
    const pct: Record<string, number> = {};
    for (const [k, c] of Object.entries(p.names)) pct[k] = c.total > 0 ? (100 * (c.success + c.failed)) / c.total : 0;
    this.names.push(t, pct);
    const done: Record<string, number> = {};
    for (const [k, c] of Object.entries(p.workers)) done[k] = c.success + c.failed;
    this.workers.push(t, done);
    this.bars(p, notes);
  }

  /** Updates the progress bars only. */
  bars(p: Pick<InstanceProgress, "names" | "workers">, notes: Record<string, string>): void {
    this.nameBars.update(namesToRows(p.names));
    this.workerBars.update(workersToRows(p.workers, notes));
  }
}

/** Samples `instanceId` on `master` into `panels` until it is final; `tick` sees each sample. */
export function monitor(
  master: Master, instanceId: string, startedAt: number, panels: RunPanels,
  notes: () => Record<string, string>, tick: (p: InstanceProgress, rate: number) => void,
): () => void {
  let last = { at: performance.now(), ended: 0 };
  const timer = setInterval(() => {
    const p = master.progress(instanceId);
    if (!p) return;
    const now = performance.now();
    const n = ended(p);
    const rate = ((n - last.ended) * 1000) / Math.max(1, now - last.at);
    last = { at: now, ended: n };
    panels.sample((Date.now() - startedAt) / 1000, p, Math.round(rate), notes());
    tick(p, rate);
  }, SAMPLE_MS);
  return () => clearInterval(timer);
}
