// The e2e suite: taskmill end to end — real processes, real HTTP, real
// SQLite, no mocks. A master process (`taskmill master`, a fresh SQLite file)
// and worker processes (`taskmill worker`) run the MapReduce of bench/e2e/
// processors.ts; each measurement starts a fresh cluster and stops it, so
// peak RSS and warm state never carry over. Measurements (bench/e2e/):
// throughput (push and pull, N = 10k, 100k, 1M; at 100k again with the
// master on PostgreSQL, a fresh schema per run — 1M too with --pg-sizes),
// with CPU µs and store row writes per task, a scaling curve (1, 2, 4
// workers), map → first sub-task running latency, dispatchSpeed accuracy and
// recovery after a worker SIGKILL. Rows: bench/e2e/rows.ts.
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseRate } from "../src/core/rate.ts";
import { checkDiskRoom } from "./e2e/disk-room.ts";
import { measureSpeed } from "./e2e/dispatch-speed.ts";
import { measureLatency, quantile, type ProbeShape } from "./e2e/latency.ts";
import { peakRssMB } from "./e2e/proc-stats.ts";
import { DEFAULT_LIVENESS, measureRecovery, type Liveness } from "./e2e/recovery.ts";
import { E2E_PARTS, type E2ePart, type E2eStore, type E2eLatencyRow, type E2eRecoveryRow, type E2eRow, type E2eSpeedRow, type E2eThroughputRow } from "./e2e/rows.ts";
import { throughputSettings, PROBE_SETTINGS, type DispatchMode } from "./e2e/settings.ts";
import { measureThroughput, type ThroughputMeasure } from "./e2e/throughput.ts";
import type { ClusterRss } from "./e2e/cluster.ts";
import { ensurePostgres } from "../test/services.ts";
import { median, spread } from "./lib/measure.ts";
import type { BenchOptions, Suite, SuiteResult } from "./lib/suite.ts";
import { perSecond } from "./lib/table.ts";

export type { E2eRow, E2eThroughputRow, E2eLatencyRow, E2eSpeedRow, E2eRecoveryRow, E2ePart } from "./e2e/rows.ts";
export { E2E_PARTS } from "./e2e/rows.ts";

/** Options of the e2e suite. */
export interface E2eBenchOptions {
  /** Sub-tasks per throughput job, one row per size and mode. @default [10_000, 100_000, 1_000_000] */
  sizes: readonly number[];
  /** Dispatch modes of the throughput rows. @default ["push", "pull"] */
  modes: readonly DispatchMode[];
  /** Rounds per throughput/scaling row, each on a fresh cluster; the median is reported. @default 3 */
  rounds: number;
  /** Sizes from this one up run a single round (a 1M run is long, and steady). @default 1_000_000 */
  singleRoundFrom: number;
  /** Worker processes of every measurement but the scaling curve. @default 2 */
  workers: number;
  /** Measurements to run. @default every one (E2E_PARTS) */
  parts: readonly E2ePart[];
  /** Worker processes of the scaling curve. @default [1, 2, 4] */
  scalingWorkers: readonly number[];
  /** Sub-tasks of the scaling curve's jobs (push). @default 100_000 */
  scalingN: number;
  /** The latency probe. @default 300 calls of 4 tasks, 5 ms apart, after a 5,000-task warm-up */
  probe: ProbeShape;
  /** dispatchSpeed of the accuracy job. @default "2000/s" */
  speed: string;
  /** Window over which the achieved rate is measured, ms. @default 10_000 */
  speedWindowMs: number;
  /** Skipped after the first dispatch before the window opens, ms. @default 1000 */
  speedWarmupMs: number;
  /** Sub-tasks of the recovery job. @default 200_000 */
  recoveryN: number;
  /** Fraction of the recovery job's sub-tasks done when a worker is killed. @default 0.3 */
  recoveryKillAt: number;
  /** Liveness settings of the recovery job. @default DEFAULT_LIVENESS (check every 1 s, dead after 5 s, worker heartbeat 1 s) */
  liveness: Liveness;
  /**
   * Sizes of the throughput rows run again with the master on PostgreSQL
   * (store "postgres", every mode); [] for none. 1,000,000 is opt-in
   * (`--pg-sizes=100000,1000000`): at the ~4k tasks/s measured at 100k it
   * would add well over 8 minutes to the default run's 20-minute budget.
   * @default [100_000] when `sizes` has it, else []
   */
  postgresSizes: readonly number[];
  /**
   * The PostgreSQL database those masters use, each run on a fresh schema it drops.
   * @default TASKMILL_PG_URL, else the first of postgres@ / root@ 127.0.0.1:5432/test that answers (started if down)
   */
  pgUrl?: string;
  /**
   * CPU profiles (`node --cpu-prof`) of every throughput run's master and
   * workers go under this folder, one subfolder per run
   * (`sqlite-push-100000-r1/master`, …). @default none
   */
  cpuProfDir?: string;
  /**
   * Throughput and scaling rows with the master's SQLite store on a thread of
   * its own (`--store-thread`); the rows say so (storeThread). PostgreSQL rows are not affected.
   * @default false
   */
  storeThread: boolean;
  /** Progress lines go here. @default no output */
  log: (line: string) => void;
}

/** What the suite accepts: its options, the runner's, and `parts` as plain names (checked against E2E_PARTS). */
export type E2eInput = Partial<Omit<E2eBenchOptions, "parts"> & BenchOptions>;

/** Issue 7's targets. */
export const E2E_TARGETS = {
  /** Tasks/s at 1M tasks, submit → reduce done. */
  tasksPerSec: 200_000,
  /** Master peak RSS at 1M tasks, MB (a ceiling). */
  masterPeakRssMB: 250,
  /** p50 map → first sub-task running, push, ms (a ceiling). */
  p50Ms: 5,
  /** |dispatchSpeed error|, % (a ceiling). */
  errorPct: 2,
} as const;

function checkInt(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name}: Expected an integer >= ${min}, got ${String(value)}`);
  return value;
}

function checkList<T>(name: string, list: readonly T[], allowed: readonly T[] | null, what: string): readonly T[] {
  if (!Array.isArray(list) || list.length === 0) throw new RangeError(`${name}: Expected a non-empty list of ${what}, got ${JSON.stringify(list)}`);
  if (allowed) for (const x of list) if (!allowed.includes(x)) throw new RangeError(`${name}: Expected ${allowed.map((a) => JSON.stringify(a)).join(" or ")}, got ${JSON.stringify(x)}`);
  return list;
}

/** Fills defaults and checks the options ("Expected X, got Y"); `sizes` and `parts` may come from the command line. */
export function resolveE2eOptions(o: E2eInput = {}): E2eBenchOptions {
  const sizes = checkList("sizes", o.sizes ?? [10_000, 100_000, 1_000_000], null, "sizes");
  for (const n of sizes) checkInt("sizes", n, 1);
  const postgresSizes = o.postgresSizes ?? sizes.filter((n) => n === 100_000);
  if (!Array.isArray(postgresSizes)) throw new RangeError(`postgresSizes: Expected a list of sizes, got ${JSON.stringify(postgresSizes)}`);
  for (const n of postgresSizes) checkInt("postgresSizes", n, 1);
  if (o.pgUrl !== undefined && (typeof o.pgUrl !== "string" || !/^postgres(ql)?:\/\//.test(o.pgUrl))) {
    throw new RangeError(`pgUrl: Expected a postgres:// URL, got ${JSON.stringify(o.pgUrl)}`);
  }
  const probe = o.probe ?? { calls: 300, perCall: 4, gapMs: 5, warmupTasks: 5000 };
  checkInt("probe.calls", probe.calls, 1);
  checkInt("probe.perCall", probe.perCall, 1);
  checkInt("probe.gapMs", probe.gapMs, 0);
  checkInt("probe.warmupTasks", probe.warmupTasks, 0);
  const workers = checkInt("workers", o.workers ?? 2, 1);
  const parts = checkList("parts", (o.parts ?? E2E_PARTS) as readonly E2ePart[], E2E_PARTS, "measurements");
  if (parts.includes("recovery") && workers < 2) throw new RangeError(`workers: Expected an integer >= 2 when recovery runs (it kills one), got ${workers}`);
  const killAt = o.recoveryKillAt ?? 0.3;
  if (!(killAt > 0 && killAt < 1)) throw new RangeError(`recoveryKillAt: Expected a fraction between 0 and 1, got ${String(killAt)}`);
  const scalingWorkers = checkList("scalingWorkers", o.scalingWorkers ?? [1, 2, 4], null, "worker counts");
  for (const w of scalingWorkers) checkInt("scalingWorkers", w, 1);
  const liveness = o.liveness ?? { ...DEFAULT_LIVENESS };
  checkInt("liveness.heartbeatMs", liveness.heartbeatMs, 1);
  checkInt("liveness.livenessTimeoutMs", liveness.livenessTimeoutMs, 1);
  checkInt("liveness.workerHeartbeatMs", liveness.workerHeartbeatMs, 1);
  const storeThread = o.storeThread ?? false;
  if (typeof storeThread !== "boolean") throw new RangeError(`storeThread: Expected a boolean, got ${JSON.stringify(storeThread)}`);
  const speed = o.speed ?? "2000/s";
  parseRate(speed, "speed");
  if (o.cpuProfDir !== undefined && (typeof o.cpuProfDir !== "string" || o.cpuProfDir === "")) {
    throw new RangeError(`cpuProfDir: Expected a folder, got ${JSON.stringify(o.cpuProfDir)}`);
  }
  return {
    sizes, modes: checkList("modes", o.modes ?? ["push", "pull"], ["push", "pull"] as DispatchMode[], "modes"),
    rounds: checkInt("rounds", o.rounds ?? 3, 1), singleRoundFrom: checkInt("singleRoundFrom", o.singleRoundFrom ?? 1_000_000, 1),
    workers, parts, scalingWorkers, scalingN: checkInt("scalingN", o.scalingN ?? 100_000, 1), probe, speed,
    speedWindowMs: checkInt("speedWindowMs", o.speedWindowMs ?? 10_000, 1), speedWarmupMs: checkInt("speedWarmupMs", o.speedWarmupMs ?? 1000, 0),
    recoveryN: checkInt("recoveryN", o.recoveryN ?? 200_000, 1), recoveryKillAt: killAt, liveness, postgresSizes, pgUrl: o.pgUrl, storeThread,
    ...(o.cpuProfDir === undefined ? {} : { cpuProfDir: o.cpuProfDir }), log: o.log ?? (() => {}),
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** The median of the non-null values, or null when there is none. */
function medianOrNull(xs: readonly (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length === 0 ? null : median(v);
}

/** The largest non-null value, or null. */
function maxOrNull(xs: readonly (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length === 0 ? null : Math.max(...v);
}

/** Per process, the largest peak over several runs of one row. */
function peaks(rss: readonly ClusterRss[]): { masterPeakRssMB: number | null; workerPeakRssMB: (number | null)[] } {
  const workers = Math.max(0, ...rss.map((r) => r.workersMB.length));
  return {
    masterPeakRssMB: maxOrNull(rss.map((r) => r.masterMB)),
    workerPeakRssMB: Array.from({ length: workers }, (_, i) => maxOrNull(rss.map((r) => r.workersMB[i] ?? null))),
  };
}

const load1m = () => round1(loadavg()[0]!);

/** A throughput or scaling row from the rounds of one (n, mode, workers). */
function throughputRow(
  kind: "throughput" | "scaling", store: E2eStore, n: number, mode: DispatchMode, workers: number, ms: readonly ThroughputMeasure[], loads: number[],
  storeThread: boolean,
): E2eThroughputRow {
  const seconds = median(ms.map((m) => m.seconds));
  const windowSeconds = medianOrNull(ms.map((m) => m.windowSeconds));
  const workerCpu = ms.map((m) => (m.workerCpuSeconds.some((x) => x === null) ? null : m.workerCpuSeconds.reduce((a: number, x) => a + x!, 0)));
  const masterCpu = medianOrNull(ms.map((m) => m.masterCpuSeconds));
  const workersCpu = medianOrNull(workerCpu);
  const rowsWritten = Math.round(median(ms.map((m) => m.rowsWritten)));
  const row: E2eThroughputRow = {
    kind, mode, store, storeThread: store === "sqlite" && storeThread, workers, settings: throughputSettings(mode),
    n, tasks: n + 2, tasksCounted: "n sub-tasks + ROOT + REDUCE",
    seconds: round4(seconds), tasksPerSec: Math.round((n + 2) / seconds),
    roundSeconds: ms.map((m) => round4(m.seconds)), spread: round3(spread(ms.map((m) => m.seconds))), rounds: ms.length,
    windowSeconds: windowSeconds === null ? null : round4(windowSeconds),
    windowTasksPerSec: windowSeconds === null ? null : Math.round(n / windowSeconds),
    mapSeconds: nullable(medianOrNull(ms.map((m) => m.mapSeconds)), round4),
    reduceSeconds: nullable(medianOrNull(ms.map((m) => m.reduceSeconds)), round4),
    observedSeconds: round4(median(ms.map((m) => m.observedSeconds))),
    masterCpuSeconds: nullable(masterCpu, (x) => Math.round(x * 100) / 100),
    workerCpuSeconds: nullable(workersCpu, (x) => Math.round(x * 100) / 100),
    masterCpuUsPerTask: nullable(masterCpu, (x) => round1((x * 1e6) / (n + 2))),
    workerCpuUsPerTask: nullable(workersCpu, (x) => round1((x * 1e6) / (n + 2))),
    rowsWritten, rowWritesPerTask: round3(rowsWritten / (n + 2)),
    subTasksOnMaster: ms.map((m) => m.subTasksOnMaster), sum: ms[0]!.sum, sumChecked: true,
    ...peaks(ms.map((m) => m.rss)), benchPeakRssMB: peakRssMB("self"), loadAvg1m: loads,
  };
  // The issue's 1M targets (it names no mode, so both modes carry them).
  if (kind === "throughput" && store === "sqlite" && n === 1_000_000) row.targets = { tasksPerSec: E2E_TARGETS.tasksPerSec, masterPeakRssMB: E2E_TARGETS.masterPeakRssMB };
  return row;
}

function nullable(x: number | null, f: (x: number) => number): number | null {
  return x === null ? null : f(x);
}

/** A short line for the log about one throughput run. */
function describeRun(m: ThroughputMeasure, n: number): string {
  return `${m.seconds.toFixed(3)} s = ${perSecond((n + 2) / m.seconds)}` +
    (m.windowSeconds === null ? "" : `, window ${m.windowSeconds.toFixed(3)} s = ${perSecond(n / m.windowSeconds)}`) +
    (m.mapSeconds === null ? "" : `, map ${m.mapSeconds.toFixed(2)} s`) +
    `, CPU master ${m.masterCpuSeconds ?? "?"} s, workers ${m.workerCpuSeconds.join("+")} s, ${m.rowsWritten.toLocaleString("en")} rows written` +
    `, RSS master ${m.rss.masterMB} MB, workers ${m.rss.workersMB.join("/")} MB, load ${load1m()}` +
    (m.subTasksOnMaster === 0 ? "" : `; WARNING: the master's own worker ran ${m.subTasksOnMaster} sub-tasks (the workers were declared dead)`);
}

/** Where one throughput run's CPU profiles go (see `cpuProfDir`), or undefined when none are asked for. */
function profDir(o: E2eBenchOptions, store: E2eStore, mode: DispatchMode, n: number, round: number): string | undefined {
  return o.cpuProfDir === undefined ? undefined : join(o.cpuProfDir, `${store}-${mode}-${n}-r${round + 1}`);
}

/** Runs the throughput rows and the scaling curve; rounds interleave sizes and modes so drift hits every row alike. */
async function throughputAndScaling(o: E2eBenchOptions, pgUrl: string | null): Promise<E2eThroughputRow[]> {
  const key = (n: number, mode: DispatchMode, workers: number, store: E2eStore = "sqlite") => `${store}/${n}/${mode}/${workers}`;
  const runs = new Map<string, { ms: ThroughputMeasure[]; loads: number[] }>();
  const record = (k: string, m: ThroughputMeasure) => {
    const r = runs.get(k) ?? runs.set(k, { ms: [], loads: [] }).get(k)!;
    r.ms.push(m);
    r.loads.push(load1m());
  };
  const want = (p: E2ePart) => o.parts.includes(p);
  // The scaling point with the suite's worker count at scalingN in push mode is a throughput row already: measured once, used twice.
  const shared = (w: number) => want("throughput") && w === o.workers && o.sizes.includes(o.scalingN) && o.modes.includes("push");
  for (let r = 0; r < o.rounds; r++) {
    if (want("throughput")) {
      const modes = r % 2 === 0 ? o.modes : [...o.modes].reverse();
      for (const n of o.sizes) {
        if (r > 0 && n >= o.singleRoundFrom) continue;
        for (const mode of modes) {
          o.log(`e2e: throughput round ${r + 1}/${n >= o.singleRoundFrom ? 1 : o.rounds} ${mode} n=${n.toLocaleString("en")}, ${o.workers} workers`);
          const m = await measureThroughput(n, o.workers, throughputSettings(mode), o.log, "sqlite", o.storeThread, profDir(o, "sqlite", mode, n, r));
          o.log(`e2e:   ${describeRun(m, n)}`);
          record(key(n, mode, o.workers), m);
        }
      }
      // The same job with the master on PostgreSQL, a fresh schema per run.
      for (const n of pgUrl === null ? [] : o.postgresSizes) {
        if (r > 0 && n >= o.singleRoundFrom) continue;
        for (const mode of modes) {
          o.log(`e2e: throughput round ${r + 1}/${n >= o.singleRoundFrom ? 1 : o.rounds} ${mode} n=${n.toLocaleString("en")}, ${o.workers} workers, PostgreSQL`);
          const m = await measureThroughput(n, o.workers, throughputSettings(mode), o.log, { postgres: pgUrl! }, false, profDir(o, "postgres", mode, n, r));
          o.log(`e2e:   ${describeRun(m, n)}`);
          record(key(n, mode, o.workers, "postgres"), m);
        }
      }
    }
    if (want("scaling")) {
      const order = r % 2 === 0 ? o.scalingWorkers : [...o.scalingWorkers].reverse();
      for (const w of order) {
        if (shared(w)) continue;
        o.log(`e2e: scaling round ${r + 1}/${o.rounds} push n=${o.scalingN.toLocaleString("en")}, ${w} worker${w === 1 ? "" : "s"}`);
        const m = await measureThroughput(o.scalingN, w, throughputSettings("push"), o.log, "sqlite", o.storeThread);
        o.log(`e2e:   ${describeRun(m, o.scalingN)}`);
        record(key(o.scalingN, "push", w), m);
      }
    }
  }
  const rows: E2eThroughputRow[] = [];
  if (want("throughput")) {
    for (const mode of o.modes) for (const n of o.sizes) {
      const r = runs.get(key(n, mode, o.workers))!;
      rows.push(throughputRow("throughput", "sqlite", n, mode, o.workers, r.ms, r.loads, o.storeThread));
    }
    if (pgUrl !== null) for (const mode of o.modes) for (const n of o.postgresSizes) {
      const r = runs.get(key(n, mode, o.workers, "postgres"))!;
      rows.push(throughputRow("throughput", "postgres", n, mode, o.workers, r.ms, r.loads, o.storeThread));
    }
  }
  if (want("scaling")) {
    for (const w of o.scalingWorkers) {
      const r = runs.get(key(o.scalingN, "push", w))!;
      rows.push(throughputRow("scaling", "sqlite", o.scalingN, "push", w, r.ms, r.loads, o.storeThread));
    }
  }
  return rows;
}

async function latencyRow(o: E2eBenchOptions): Promise<E2eLatencyRow> {
  const { calls, perCall, gapMs, warmupTasks } = o.probe;
  o.log(`e2e: latency probe push, ${calls} map calls of ${perCall} tasks ${gapMs} ms apart, ${o.workers} workers (after a ${warmupTasks}-task warm-up)`);
  const m = await measureLatency(o.probe, o.workers, o.log);
  const s = m.samples;
  const row: E2eLatencyRow = {
    kind: "latency", mode: "push", store: "sqlite", workers: o.workers, settings: PROBE_SETTINGS,
    calls, perCall, gapMs, warmupTasks, samples: s.length,
    p50Ms: round3(quantile(s, 0.5)), p90Ms: round3(quantile(s, 0.9)), p99Ms: round3(quantile(s, 0.99)),
    minMs: round3(Math.min(...s)), maxMs: round3(Math.max(...s)), meanMs: round3(s.reduce((a, x) => a + x, 0) / s.length),
    sampleMs: s, ...peaks([m.rss]), benchPeakRssMB: peakRssMB("self"), loadAvg1m: [load1m()],
    targets: { p50Ms: E2E_TARGETS.p50Ms },
  };
  o.log(`e2e:   p50 ${row.p50Ms} ms, p90 ${row.p90Ms} ms, p99 ${row.p99Ms} ms, max ${row.maxMs} ms, load ${row.loadAvg1m[0]}`);
  return row;
}

async function speedRow(o: E2eBenchOptions): Promise<E2eSpeedRow> {
  o.log(`e2e: dispatchSpeed ${o.speed} over ${o.speedWindowMs / 1000} s (after ${o.speedWarmupMs} ms), ${o.workers} workers`);
  const m = await measureSpeed(o.speed, o.speedWindowMs, o.speedWarmupMs, o.workers, o.log);
  const row: E2eSpeedRow = {
    kind: "dispatchSpeed", mode: "push", store: "sqlite", workers: o.workers, settings: m.settings,
    n: m.n, speed: o.speed, configuredPerSec: m.configuredPerSec, achievedPerSec: Math.round(m.achievedPerSec * 10) / 10,
    errorPct: round3(((m.achievedPerSec - m.configuredPerSec) / m.configuredPerSec) * 100),
    dispatchedInWindow: m.dispatchedInWindow, windowSeconds: round4(m.windowSeconds), warmupSeconds: o.speedWarmupMs / 1000, sumChecked: true,
    ...peaks([m.rss]), benchPeakRssMB: peakRssMB("self"), loadAvg1m: [load1m()], targets: { errorPct: E2E_TARGETS.errorPct },
  };
  o.log(`e2e:   ${row.achievedPerSec}/s achieved vs ${row.configuredPerSec}/s configured: ${row.errorPct} %, load ${row.loadAvg1m[0]}`);
  return row;
}

async function recoveryRow(o: E2eBenchOptions): Promise<E2eRecoveryRow> {
  o.log(`e2e: recovery push n=${o.recoveryN.toLocaleString("en")}, ${o.workers} workers, SIGKILL w1 at ${Math.round(o.recoveryKillAt * 100)} % done`);
  const m = await measureRecovery(o.recoveryN, o.recoveryKillAt, o.workers, o.liveness, o.log);
  const row: E2eRecoveryRow = {
    kind: "recovery", mode: "push", store: "sqlite", workers: o.workers, settings: m.settings,
    n: m.n, killAt: o.recoveryKillAt, killedWorker: "w1", successAtKill: m.successAtKill, heldAtKill: m.heldAtKill,
    failoverSeconds: round3(m.failoverSeconds), doneSeconds: round3(m.doneSeconds), totalSeconds: round3(m.totalSeconds),
    liveness: m.liveness, sumChecked: true,
    ...peaks([m.rss]), benchPeakRssMB: peakRssMB("self"), loadAvg1m: [load1m()],
  };
  o.log(`e2e:   w1 held ${row.heldAtKill} tasks; failed over after ${row.failoverSeconds} s, SUCCESS ${row.doneSeconds} s after the kill, load ${row.loadAvg1m[0]}`);
  return row;
}

/** A warning when the master's own worker ran sub-tasks in some round of the row. */
function onMaster(r: E2eThroughputRow): string {
  return r.subTasksOnMaster.some((x) => x > 0) ? `; WARNING master ran ${r.subTasksOnMaster.join("/")} sub-tasks` : "";
}

const mb = (x: number | null) => (x === null ? "?" : `${Math.round(x)}`);
const verdict = (ok: boolean) => (ok ? "met" : "MISSED");

/** The table line of a row: measurement, mode, n, workers, figure, detail. */
function tableLine(r: E2eRow): string[] {
  const rss = `RSS master ${mb(r.masterPeakRssMB)} MB, workers ${r.workerPeakRssMB.map(mb).join("/")} MB`;
  switch (r.kind) {
    case "throughput":
    case "scaling": {
      const t = r.targets;
      const target = t ? `; target ${perSecond(t.tasksPerSec!)} ${verdict(r.tasksPerSec >= t.tasksPerSec!)}, master ≤ ${t.masterPeakRssMB} MB ${verdict((r.masterPeakRssMB ?? Infinity) <= t.masterPeakRssMB!)}` : "";
      return [r.store === "postgres" ? `${r.kind} (PostgreSQL)` : r.kind, r.mode, r.n.toLocaleString("en"), String(r.workers), `${perSecond(r.tasksPerSec)} (${r.seconds.toFixed(2)} s)`,
        `window ${r.windowTasksPerSec === null ? "?" : perSecond(r.windowTasksPerSec)}, map ${r.mapSeconds?.toFixed(2) ?? "?"} s, reduce ${r.reduceSeconds?.toFixed(2) ?? "?"} s, ` +
        `CPU ${r.masterCpuSeconds ?? "?"}+${r.workerCpuSeconds ?? "?"} s = ${r.masterCpuUsPerTask ?? "?"}+${r.workerCpuUsPerTask ?? "?"} µs/task, ` +
        `${r.rowWritesPerTask} row writes/task, ${rss}, ${r.rounds} round${r.rounds === 1 ? "" : "s"}${target}${onMaster(r)}`];
    }
    case "latency":
      return ["latency", r.mode, `${r.calls}×${r.perCall}`, String(r.workers), `p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms`,
        `p90 ${r.p90Ms.toFixed(2)}, min ${r.minMs.toFixed(2)}, max ${r.maxMs.toFixed(2)} ms; target p50 ≤ ${r.targets!.p50Ms} ms ${verdict(r.p50Ms <= r.targets!.p50Ms!)}`];
    case "dispatchSpeed":
      return ["dispatchSpeed", r.mode, r.n.toLocaleString("en"), String(r.workers), `${r.errorPct >= 0 ? "+" : ""}${r.errorPct.toFixed(2)} %`,
        `${r.achievedPerSec}/s over ${r.windowSeconds.toFixed(2)} s vs ${r.speed}; target ±${r.targets!.errorPct} % ${verdict(Math.abs(r.errorPct) <= r.targets!.errorPct!)}`];
    case "recovery":
      return ["recovery", r.mode, r.n.toLocaleString("en"), String(r.workers), `failover ${r.failoverSeconds.toFixed(2)} s, done ${r.doneSeconds.toFixed(2)} s`,
        `w1 held ${r.heldAtKill} at the kill (${r.successAtKill} done); liveness timeout ${r.liveness.livenessTimeoutMs} ms, check every ${r.liveness.heartbeatMs} ms, worker heartbeat ${r.liveness.workerHeartbeatMs} ms`];
  }
}

/** Runs the e2e suite; `options` shrinks it (the smoke test runs a few hundred tasks). */
export async function runE2eBench(options: E2eInput = {}): Promise<SuiteResult<E2eRow>> {
  const o = resolveE2eOptions(options);
  const loadStart = loadavg();
  const rows: E2eRow[] = [];
  const pgNotes: string[] = [];
  let pgUrl: string | null = null;
  if (o.parts.includes("throughput")) checkDiskRoom(o.sizes);
  if (o.parts.includes("throughput") && o.postgresSizes.length > 0) {
    const pg = o.pgUrl === undefined ? await ensurePostgres() : { url: o.pgUrl };
    if ("skip" in pg) {
      o.log(`e2e: PostgreSQL rows SKIPPED: ${pg.skip}`);
      pgNotes.push(`PostgreSQL rows SKIPPED: ${pg.skip}`);
    } else pgUrl = pg.url;
  }
  if (o.parts.includes("throughput") || o.parts.includes("scaling")) rows.push(...await throughputAndScaling(o, pgUrl));
  if (o.parts.includes("latency")) rows.push(await latencyRow(o));
  if (o.parts.includes("dispatchSpeed")) rows.push(await speedRow(o));
  if (o.parts.includes("recovery")) rows.push(await recoveryRow(o));
  const loadEnd = loadavg();
  const starved = rows.filter((r): r is E2eThroughputRow => (r.kind === "throughput" || r.kind === "scaling") && r.subTasksOnMaster.some((x) => x > 0));
  const table = [["measurement", "mode", "n", "workers", "figure", "detail"], ...rows.map(tableLine)];
  const notes = [
    "each run: a fresh master process on a fresh SQLite file (PostgreSQL rows: a fresh schema, dropped after) + worker processes, over HTTP, every process stopped after it; sub-tasks run on the workers only (execOnMaster false)",
    `throughput: tasks/s = (n + ROOT + REDUCE) / (submit → reduce done, the master's finishedAt); window = first sub-task start → reduce done; median of ${o.rounds} round${o.rounds === 1 ? "" : "s"} (sizes ≥ ${o.singleRoundFrom.toLocaleString("en")}: 1); the sum (= n) was checked in every round`,
    "CPU = user + system seconds, master: submit → reduce done (its reduceDone mark), workers: submit → the final event; steadier than wall time on a loaded machine; µs/task = CPU ÷ (n + 2); RSS = VmHWM read just before stopping each process",
    "row writes/task = the master's taskmill_store_rows_written_total over the job (task rows inserted and updated, claims, instance and dispatch records; the task cleanup not counted) ÷ (n + 2)",
    ...pgNotes,
    "latency: per map call, its first child's start (worker wall clock) − the wall time right before ctx.map (master), on an idle cluster after a warm-up job",
    `bench process peak RSS ${mb(peakRssMB("self"))} MB; load average (1/5/15 min): ${loadStart.map((x) => x.toFixed(2)).join(" ")} at the start, ${loadEnd.map((x) => x.toFixed(2)).join(" ")} at the end`,
  ];
  if (starved.length > 0) {
    notes.push(`WARNING: in ${starved.map((r) => `${r.kind} ${r.mode} n=${r.n} (${r.workers} workers)`).join(", ")} the master's own worker ran sub-tasks ` +
      "(subTasksOnMaster): every worker process had been declared dead (missed the liveness timeout), so those rounds did not measure the worker processes");
  }
  return { rows, table, notes };
}

/** The e2e suite, as `bench/run.ts` lists it. */
export const e2eSuite: Suite<E2eRow> = {
  name: "e2e",
  summary: "end to end over HTTP + SQLite (and PostgreSQL at 100k; --pg-sizes for 1M): MapReduce of 10k/100k/1M no-op tasks (push, pull), 1/2/4 workers, map latency, dispatchSpeed, recovery",
  run: (options) => runE2eBench(options),
};
