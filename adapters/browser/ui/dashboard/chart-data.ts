/**
 * The data of an ended instance's charts (instance-charts.ts), without the
 * DOM: from its stored tasks' end times, or from its final counts alone.
 */
import type { SeriesData } from "../components/time-chart.ts";
import type { TaskView } from "../../../../src/master/task-pages.ts";
import type { View } from "./api.ts";
import { taskCounts } from "./format-result.ts";

/** The throughput chart's two lines. */
export const SUCCEEDED = "succeeded/s", FAILED = "failed/s";
/** Points of a chart drawn from stored tasks, at most. */
const BUCKETS = 120;
/** Shortest span of one point drawn from stored tasks, ms. */
const MIN_BUCKET_MS = 250;

/** Charts from the tasks' end times (updatedAt of a final task): per-bucket rates and % done per name. */
export function fromTasks(v: Pick<View, "createdAt" | "finishedAt">, tasks: readonly Pick<TaskView, "name" | "status" | "updatedAt">[]): { throughput: SeriesData; percent: SeriesData } {
  const start = v.createdAt;
  const ended = tasks.filter((t) => t.status === "SUCCESS" || t.status === "FAILED");
  const end = Math.max(v.finishedAt ?? 0, ...ended.map((t) => t.updatedAt), start + 1);
  const width = Math.max(MIN_BUCKET_MS, (end - start) / BUCKETS);
  const n = Math.ceil((end - start) / width);
  const ok = new Array<number>(n).fill(0), bad = new Array<number>(n).fill(0);
  const totals: Record<string, number> = {}, byName: Record<string, number[]> = {};
  for (const t of tasks) totals[t.name] = (totals[t.name] ?? 0) + 1;
  for (const t of ended) {
    const b = Math.min(n - 1, Math.max(0, Math.floor((t.updatedAt - start) / width)));
    (t.status === "SUCCESS" ? ok : bad)[b]!++;
    (byName[t.name] ??= new Array<number>(n).fill(0))[b]!++;
  }
  const times = Array.from({ length: n }, (_, i) => ((i + 1) * width) / 1000);
  const perSecond = (a: number[]) => a.map((x) => Math.round((x * 1000) / width));
  const lines: Record<string, number[]> = {};
  for (const [name, counts] of Object.entries(byName)) {
    let sum = 0;
    lines[name] = counts.map((x) => { sum += x; return (100 * sum) / totals[name]!; });
  }
  return { throughput: { t: times, lines: { [SUCCEEDED]: perSecond(ok), [FAILED]: perSecond(bad) } }, percent: { t: times, lines } };
}

/** Charts from the final counts alone: the average rate over the run, and each name's final % done at its end. */
export function fromCounts(v: Pick<View, "progress" | "createdAt" | "finishedAt">): { throughput: SeriesData; percent: SeriesData } {
  const p = v.progress;
  if (!p || v.finishedAt === null) return { throughput: { t: [], lines: {} }, percent: { t: [], lines: {} } };
  const c = taskCounts(p);
  const secs = Math.max(0.001, (v.finishedAt - v.createdAt) / 1000);
  const pct: Record<string, number[]> = {};
  for (const [k, n] of Object.entries(p.names)) pct[k] = [n.total > 0 ? (100 * (n.success + n.failed)) / n.total : 0];
  const avg = (x: number) => Math.round(x / secs);
  return {
    throughput: { t: [0, secs], lines: { [SUCCEEDED]: [avg(c.success), avg(c.success)], [FAILED]: [avg(c.failed), avg(c.failed)] } },
    percent: { t: [secs], lines: pct },
  };
}
