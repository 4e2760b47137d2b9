// One throughput measurement on a fresh cluster: submit the e2eSum job of n
// no-op tasks, wait for it to end, check status SUCCESS and sum = count = n,
// and time it. Timestamps come from three places on one machine, so their
// wall clocks agree: the bench (submit), the processors' marks (first
// sub-task start, map done, reduce start) and the master's finishedAt (its
// final status, stamped right after reduce and before it clears the tasks).
import { submit, waitDone } from "./api.ts";
import { startCluster, type ClusterCpu, type ClusterOptions, type ClusterRss } from "./cluster.ts";
import { readMarks, wallNow } from "./marks.ts";
import type { Settings } from "./settings.ts";

/** What one throughput run measured. */
export interface ThroughputMeasure {
  /** Submit → reduce done (the master's finishedAt), seconds. */
  seconds: number;
  /** First sub-task start (on any worker) → reduce done, seconds; null without the marks. */
  windowSeconds: number | null;
  /** Submit → the root's last map call resolved, seconds; null without the mark. */
  mapSeconds: number | null;
  /** Reduce start → reduce done (streaming every result back from SQLite), seconds; null without the mark. */
  reduceSeconds: number | null;
  /** Submit → the bench received the final event (adds the master's task cleanup and the event's trip), seconds. */
  observedSeconds: number;
  /**
   * CPU seconds the master used from submit to reduce done (the reduceDone
   * mark's process.cpuUsage() − /proc at submit: the task cleanup after the
   * job is left out); null off Linux or without the mark.
   */
  masterCpuSeconds: number | null;
  /** CPU seconds each worker process used from submit to the final event (idle after their last task), in worker order. */
  workerCpuSeconds: (number | null)[];
  /** Rows the master's store wrote from submit to the final event (taskmill_store_rows_written_total; the task cleanup is not counted). */
  rowsWritten: number;
  /**
   * Sub-tasks the master's own worker ran, though execOnMaster is false: it
   * takes them only when no other worker is valid (B5), so anything but 0
   * means the workers were declared dead during the run and the figure is
   * not a measurement of the requested worker count.
   */
  subTasksOnMaster: number;
  /** What reduce summed and counted; both checked = n. */
  sum: number;
  count: number;
  rss: ClusterRss;
}

/** CPU seconds each process used between two snapshots, 2 decimals. */
export function cpuSpent(a: ClusterCpu, b: ClusterCpu): { masterCpuSeconds: number | null; workerCpuSeconds: (number | null)[] } {
  const d = (x: number | null, y: number | null | undefined) => (x === null || y === null || y === undefined ? null : Math.round((x - y) * 100) / 100);
  return { masterCpuSeconds: d(b.master, a.master), workerCpuSeconds: b.workers.map((w, i) => d(w, a.workers[i])) };
}

/** Fails loudly: a wrong figure must never reach a results file. */
function check(what: string, ok: boolean): void {
  if (!ok) throw new Error(`e2e: ${what}`);
}

/** Runs e2eSum with n sub-tasks on a fresh cluster of `workers` worker processes, its master on `store`. */
export async function measureThroughput(
  n: number, workers: number, settings: Settings, log: (line: string) => void, store: ClusterOptions["store"] = "sqlite", storeThread = false,
  cpuProfDir?: string,
): Promise<ThroughputMeasure> {
  const cluster = await startCluster({ workers, slots: Number(settings.consumerSize ?? 5), log, store, storeThread, ...(cpuProfDir === undefined ? {} : { cpuProfDir }) });
  let out: Omit<ThroughputMeasure, "rss">;
  let rss: ClusterRss;
  try {
    const rows0 = await cluster.rowsWritten();
    const cpu0 = cluster.cpu();
    const submittedAt = wallNow();
    const t0 = performance.now();
    const id = await submit(cluster.url, "e2eSum", { n }, settings);
    const { view, receivedAt } = await waitDone(cluster.url, id, 120_000 + n * 2);
    const cpu1 = cluster.cpu();
    const rows1 = await cluster.rowsWritten();
    const result = view.result as { sum?: number; count?: number } | null;
    check(`e2eSum n=${n} ended ${view.status}: ${JSON.stringify(view.result)}`, view.status === "SUCCESS");
    check(`e2eSum n=${n}: reduce summed ${result?.sum} over ${result?.count} tasks, expected ${n} over ${n}`, result?.sum === n && result?.count === n);
    check(`e2eSum n=${n}: no finishedAt in the final view`, typeof view.finishedAt === "number");
    const doneAt = view.finishedAt!;
    // The master's own worker also ran ROOT and REDUCE, counted among its tasks.
    const own = Object.entries(view.progress?.workers ?? {}).filter(([key]) => key.startsWith("master@")).reduce((a, [, c]) => a + c.total, 0);
    const marks = readMarks(cluster.marksFile, id);
    const at = (kind: string) => marks.filter((m) => m.kind === kind).map((m) => m.at);
    const firstStart = at("firstStart");
    const mapDone = at("mapDone")[0];
    const reduceStart = at("reduceStart")[0];
    const reduceDone = marks.find((m) => m.kind === "reduceDone" && m.pid === cluster.master.proc.pid && typeof m.cpuUs === "number");
    const spent = cpuSpent(cpu0, cpu1);
    const masterCpuSeconds = reduceDone === undefined || cpu0.master === null ? null : Math.round((reduceDone.cpuUs! / 1e6 - cpu0.master) * 100) / 100;
    out = {
      seconds: (doneAt - submittedAt) / 1000,
      windowSeconds: firstStart.length > 0 ? (doneAt - Math.min(...firstStart)) / 1000 : null,
      mapSeconds: mapDone === undefined ? null : (mapDone - submittedAt) / 1000,
      reduceSeconds: reduceStart === undefined ? null : (doneAt - reduceStart) / 1000,
      observedSeconds: (receivedAt - t0) / 1000,
      masterCpuSeconds, workerCpuSeconds: spent.workerCpuSeconds, rowsWritten: rows1 - rows0,
      subTasksOnMaster: Math.max(0, own - 2),
      sum: result!.sum!, count: result!.count!,
    };
  } finally {
    rss = await cluster.stop();
  }
  return { ...out, rss };
}
