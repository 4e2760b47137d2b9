// Recovery after a worker SIGKILL: an e2eSum job on 2+ workers; once a
// fraction of its tasks succeeded, worker w1 is SIGKILLed. Failed over = the
// dead worker's pulled + running in the per-worker progress is 0 (its
// unfinished tasks are back in play); done = the instance ended SUCCESS with
// sum = n. Both are timed from the kill, on the bench's clock (readings
// every EVERY_MS, each timed at its request's midpoint).
import { DEFAULT_SETTINGS } from "../../src/master/settings.ts";
import { submit, waitDone } from "./api.ts";
import { startCluster, type ClusterRss } from "./cluster.ts";
import { held, sample, sampleUntil, succeeded } from "./progress.ts";
import { peakRssMB } from "./proc-stats.ts";
import { throughputSettings, type Settings } from "./settings.ts";
import type { E2eRecoveryRow } from "./rows.ts";

/** The liveness settings a recovery runs with. */
export interface Liveness {
  /** Job setting: interval of the master's liveness check, ms. */
  heartbeatMs: number;
  /** Job setting: a worker silent this long is dead, ms. */
  livenessTimeoutMs: number;
  /** Worker `--heartbeat-ms`: how often a worker reports it is alive, ms. */
  workerHeartbeatMs: number;
}

/** What one recovery run measured: the recovery row's figures (rows.ts), plus the run's settings and peaks. */
export type RecoveryMeasure = Pick<E2eRecoveryRow, "n" | "successAtKill" | "heldAtKill" | "failoverSeconds" | "doneSeconds" | "totalSeconds" | "liveness"> & {
  settings: Settings;
  /** Peak RSS; the killed worker's is read right before the kill. */
  rss: ClusterRss;
};

/** The defaults (docs/processors.md; the worker CLI's --heartbeat-ms). */
export const DEFAULT_LIVENESS: Readonly<Liveness> = Object.freeze({
  heartbeatMs: DEFAULT_SETTINGS.heartbeatMs, livenessTimeoutMs: DEFAULT_SETTINGS.livenessTimeoutMs, workerHeartbeatMs: 1000,
});

/** Interval of the readings, ms: the resolution of the failover time. */
const EVERY_MS = 20;

/** Runs the recovery job of `n` tasks on a fresh cluster; kills w1 once `killAt` × n tasks succeeded. */
export async function measureRecovery(n: number, killAt: number, workers: number, liveness: Liveness, log: (line: string) => void): Promise<RecoveryMeasure> {
  if (workers < 2) throw new RangeError(`workers: Expected an integer >= 2 for the recovery run, got ${workers}`);
  const settings: Settings = { ...throughputSettings("push"), heartbeatMs: liveness.heartbeatMs, livenessTimeoutMs: liveness.livenessTimeoutMs };
  const cluster = await startCluster({ workers, slots: Number(settings.consumerSize), heartbeatMs: liveness.workerHeartbeatMs, log });
  let out: Omit<RecoveryMeasure, "rss">;
  let rss: ClusterRss;
  let victimPeak: number | null = null;
  try {
    const t0 = performance.now();
    const id = await submit(cluster.url, "e2eSum", { n }, settings);
    const before = await sampleUntil(cluster.url, id, (s) => succeeded(s.view, "T") >= killAt * n, `${Math.round(killAt * 100)} % of the tasks done`, EVERY_MS, 120_000 + n);
    const victim = cluster.workers[0]!;
    // A killed process leaves no /proc entry for stop() to read: its peak is read now.
    victimPeak = peakRssMB(victim.proc.pid!);
    victim.proc.kill("SIGKILL");
    const killedAt = performance.now();
    const after = await sample(cluster.url, id);
    if (after.view.status !== "RUNNING") throw new Error(`e2e: the recovery job ended ${after.view.status} before ${victim.name} was killed: raise recoveryN (was ${n})`);
    const failed = held(after.view, victim.name) === 0 ? after
      : await sampleUntil(cluster.url, id, (s) => held(s.view, victim.name) === 0, `failover of ${victim.name}'s tasks`, EVERY_MS, 60_000);
    const { view, receivedAt } = await waitDone(cluster.url, id, 120_000 + n);
    const sum = (view.result as { sum?: number } | null)?.sum;
    if (view.status !== "SUCCESS" || sum !== n) throw new Error(`e2e: recovery job ended ${view.status} with ${JSON.stringify(view.result)}, expected sum ${n}`);
    out = {
      n, successAtKill: succeeded(before.view, "T"), heldAtKill: held(after.view, victim.name),
      failoverSeconds: Math.max(0, failed.at - killedAt) / 1000, doneSeconds: (receivedAt - killedAt) / 1000,
      totalSeconds: (receivedAt - t0) / 1000, liveness, settings,
    };
  } finally {
    rss = await cluster.stop();
  }
  rss.workersMB[0] ??= victimPeak;
  return { ...out, rss };
}
