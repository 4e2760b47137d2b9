// Map → first sub-task running, on an otherwise idle cluster (push mode):
// the e2eProbe root makes `calls` small map calls spaced `gapMs` apart, each
// body carrying the wall time taken right before its ctx.map; each child
// measures its own start − that time; per call the first child's is the
// sample. A small e2eSum job runs first on the same cluster, so the samples
// measure a warm (JIT-compiled, connected) cluster rather than start-up.
import { submit, waitDone } from "./api.ts";
import { startCluster, type ClusterRss } from "./cluster.ts";
import { PROBE_SETTINGS, throughputSettings } from "./settings.ts";

/** Shape of the probe job. */
export interface ProbeShape {
  /** Map calls of the root. */
  calls: number;
  /** Children per map call. */
  perCall: number;
  /** Pause after each map call resolved, ms. */
  gapMs: number;
  /** Tasks of the warm-up e2eSum job run before the probe (0: none). */
  warmupTasks: number;
}

/** What one probe run measured. */
export interface LatencyMeasure {
  /** One sample per map call, ms, in call order. */
  samples: number[];
  rss: ClusterRss;
}

/** The q-quantile (0..1) of samples by nearest rank. */
export function quantile(samples: readonly number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Runs the probe on a fresh cluster of `workers` worker processes. */
export async function measureLatency(shape: ProbeShape, workers: number, log: (line: string) => void): Promise<LatencyMeasure> {
  // Slots as wide as the warm-up's consumerSize (4000): a worker's slots cap a job's consumerSize.
  const cluster = await startCluster({ workers, slots: 4000, log });
  let samples: number[];
  let rss: ClusterRss;
  try {
    if (shape.warmupTasks > 0) {
      const id = await submit(cluster.url, "e2eSum", { n: shape.warmupTasks }, throughputSettings("push"));
      const { view } = await waitDone(cluster.url, id, 60_000);
      const sum = (view.result as { sum?: number } | null)?.sum;
      if (view.status !== "SUCCESS" || sum !== shape.warmupTasks) throw new Error(`e2e: latency warm-up ended ${view.status} with ${JSON.stringify(view.result)}, expected sum ${shape.warmupTasks}`);
    }
    const { calls, perCall, gapMs } = shape;
    const id = await submit(cluster.url, "e2eProbe", { calls, perCall, gapMs }, PROBE_SETTINGS);
    const { view } = await waitDone(cluster.url, id, 60_000 + calls * (gapMs + 50));
    const result = view.result as { samples?: number[]; tasks?: number } | null;
    if (view.status !== "SUCCESS" || result?.tasks !== calls * perCall || result.samples?.length !== calls) {
      throw new Error(`e2e: latency probe ended ${view.status} with ${JSON.stringify(view.result)?.slice(0, 300)}, expected ${calls} samples over ${calls * perCall} tasks`);
    }
    samples = result.samples;
  } finally {
    rss = await cluster.stop();
  }
  return { samples, rss };
}
