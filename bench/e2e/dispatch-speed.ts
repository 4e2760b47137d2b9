// dispatchSpeed accuracy: an e2eSum job limited to `speed`, with more tasks
// than the window lasts. Once dispatch has begun and `warmupMs` passed (the
// limiter's initial burst is over), two readings of the dispatched count
// (pulled + running + success + failed of T) `windowMs` apart give the
// achieved rate. The job then runs to its end and its sum is checked.
import { parseRate } from "../../src/core/rate.ts";
import { submit, waitDone } from "./api.ts";
import { startCluster, type ClusterRss } from "./cluster.ts";
import { dispatched, sample, sampleUntil } from "./progress.ts";
import { speedSettings, type Settings } from "./settings.ts";

/** What one dispatchSpeed run measured. */
export interface SpeedMeasure {
  /** Tasks of the job: enough for warm-up + window + 2 s at the configured rate. */
  n: number;
  configuredPerSec: number;
  /** Dispatched in the window ÷ the window's length. */
  achievedPerSec: number;
  /** Tasks dispatched between the two readings. */
  dispatchedInWindow: number;
  /** Measured length of the window (between the readings' midpoints), seconds. */
  windowSeconds: number;
  settings: Settings;
  rss: ClusterRss;
}

/** Interval of the readings while waiting for the window's end: its end is hit within this. */
const EVERY_MS = 20;

/** Runs the dispatchSpeed job on a fresh cluster of `workers` worker processes. */
export async function measureSpeed(speed: string, windowMs: number, warmupMs: number, workers: number, log: (line: string) => void): Promise<SpeedMeasure> {
  const rate = parseRate(speed);
  const configuredPerSec = (rate.perPeriod * 1000) / rate.periodMs;
  const n = Math.ceil((configuredPerSec * (warmupMs + windowMs + 2000)) / 1000);
  const settings = speedSettings(speed);
  const cluster = await startCluster({ workers, slots: Number(settings.consumerSize), log });
  let out: Omit<SpeedMeasure, "rss">;
  let rss: ClusterRss;
  try {
    const id = await submit(cluster.url, "e2eSum", { n }, settings);
    const first = await sampleUntil(cluster.url, id, (s) => dispatched(s.view, "T") > 0, "first dispatch", 5, 60_000);
    await new Promise((r) => setTimeout(r, Math.max(0, first.at + warmupMs - performance.now())));
    const a = await sample(cluster.url, id);
    const b = await sampleUntil(cluster.url, id, (s) => s.at - a.at >= windowMs, "end of the window", EVERY_MS, windowMs + 30_000);
    const inWindow = dispatched(b.view, "T") - dispatched(a.view, "T");
    const seconds = (b.at - a.at) / 1000;
    if (dispatched(b.view, "T") >= n) throw new Error(`e2e: dispatchSpeed job of ${n} tasks was fully dispatched before the window ended: the limiter did not limit`);
    const { view } = await waitDone(cluster.url, id, 60_000 + (n / configuredPerSec) * 2000);
    const sum = (view.result as { sum?: number } | null)?.sum;
    if (view.status !== "SUCCESS" || sum !== n) throw new Error(`e2e: dispatchSpeed job ended ${view.status} with ${JSON.stringify(view.result)}, expected sum ${n}`);
    out = { n, configuredPerSec, achievedPerSec: inWindow / seconds, dispatchedInWindow: inWindow, windowSeconds: seconds, settings };
  } finally {
    rss = await cluster.stop();
  }
  return { ...out, rss };
}
