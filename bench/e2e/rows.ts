// The rows of bench/results/e2e.json, one interface per kind of measurement,
// for bench/report/ and anyone reading the file. Every row is stamped with
// `machine` by writeResults. The peers suite takes its ratio's numerator from
// the first row with mode "push", the same n, store "sqlite" (its
// postgresRatio: "postgres") and a positive tasksPerSec: the throughput rows
// come first in the file for that reason.
import type { Liveness } from "./recovery.ts";
import type { DispatchMode, Settings } from "./settings.ts";

/** The measurements of the e2e suite, in the order the file lists them. */
export const E2E_PARTS = ["throughput", "scaling", "latency", "dispatchSpeed", "recovery"] as const;
/** One measurement of the e2e suite. */
export type E2ePart = (typeof E2E_PARTS)[number];

/** The master's store of a row. */
export type E2eStore = "sqlite" | "postgres";

/** Fields every e2e row has. */
export interface E2eRowBase {
  /** Which measurement the row belongs to. */
  kind: E2ePart;
  /** The job's dispatchMode. */
  mode: DispatchMode;
  /**
   * The master's store, fresh per measurement: a SQLite file (WAL), or a
   * schema of its own in PostgreSQL on 127.0.0.1:5432 (throughput rows only).
   */
  store: E2eStore;
  /** Worker processes besides the master (whose own worker runs only ROOT and reduce: execOnMaster false). */
  workers: number;
  /** The job settings submitted (defaults of src/master/settings.ts fill the rest). */
  settings: Settings;
  /** Peak RSS (VmHWM) of the master process, MB: the largest over the row's runs, read just before stopping it. */
  masterPeakRssMB: number | null;
  /** Peak RSS of each worker process (w1, w2, …), MB: per worker, the largest over the row's runs (a killed worker's: read right before the kill). */
  workerPeakRssMB: (number | null)[];
  /** Peak RSS of the bench process itself when the row was made, MB (covers every suite run before it in the same process). */
  benchPeakRssMB: number | null;
  /** The 1-minute load average after each run of the row: other work on the machine skews wall-clock figures. */
  loadAvg1m: number[];
  /** Targets of issue 7 that apply to this row, by field name (a figure to reach; for errorPct and RSS, a ceiling). */
  targets?: Record<string, number>;
}

/**
 * kind "throughput" (N × mode, 2 workers) and "scaling" (one N, push, 1/2/4
 * workers): the e2eSum MapReduce of n no-op sub-tasks. The root maps n bodies
 * in pages of 1,000, each sub-task returns 1, reduce sums them; the sum and
 * the count were checked = n in every round (a wrong one fails the run).
 * Figures are medians over `rounds` runs, each on a fresh cluster.
 */
export interface E2eThroughputRow extends E2eRowBase {
  kind: "throughput" | "scaling";
  /** The master's SQLite store ran on a thread of its own (`--store-thread`; the suite's option storeThread); false on PostgreSQL. */
  storeThread: boolean;
  /** Sub-tasks (T) the root maps. */
  n: number;
  /** Tasks counted in tasksPerSec: n + 2. */
  tasks: number;
  /** What `tasks` counts. */
  tasksCounted: "n sub-tasks + ROOT + REDUCE";
  /** Submit (bench clock) → reduce done (the master's finishedAt, stamped after reduce, before task cleanup), median seconds. */
  seconds: number;
  /** tasks / seconds. */
  tasksPerSec: number;
  /** seconds of each round, in order. */
  roundSeconds: number[];
  /** (max − min) / median of roundSeconds. */
  spread: number;
  rounds: number;
  /** First sub-task start (any worker) → reduce done, median seconds; null when the marks are missing. */
  windowSeconds: number | null;
  /** n / windowSeconds: sub-tasks per second once dispatch has begun. */
  windowTasksPerSec: number | null;
  /** Submit → the root's last map call resolved, median seconds. */
  mapSeconds: number | null;
  /** Reduce start → reduce done (streaming every result back from SQLite), median seconds. */
  reduceSeconds: number | null;
  /** Submit → the bench received the final event (adds cleanup of the instance's tasks and the event's trip), median seconds. */
  observedSeconds: number;
  /** CPU seconds of the master process from submit to reduce done (the task cleanup after it left out), median. */
  masterCpuSeconds: number | null;
  /** CPU seconds of all worker processes together from submit to the final event (idle after their last task), median. */
  workerCpuSeconds: number | null;
  /** µs of master CPU per task: masterCpuSeconds ÷ tasks, from the same rounds' median. */
  masterCpuUsPerTask: number | null;
  /** µs of CPU per task of all the workers together: workerCpuSeconds ÷ tasks. */
  workerCpuUsPerTask: number | null;
  /** Rows the master's store wrote in the job (taskmill_store_rows_written_total after − before; the task cleanup not counted), median. */
  rowsWritten: number;
  /** rowsWritten ÷ tasks: inserts, status updates, claims, instance and dispatch records per task. */
  rowWritesPerTask: number;
  /**
   * Per round, sub-tasks the master's own worker ran (execOnMaster is false,
   * so it takes them only once every worker process was declared dead, B5).
   * Anything but 0 means that round did not measure `workers` worker
   * processes; the table and notes say so.
   */
  subTasksOnMaster: number[];
  /** What reduce summed (= n, checked). */
  sum: number;
  /** Always true: a row exists only when every round's sum and count were n. */
  sumChecked: true;
}

/**
 * kind "latency": map → first sub-task running, push, on an idle (warmed-up)
 * cluster. The probe root makes `calls` map calls of `perCall` tasks each,
 * `gapMs` apart; a sample = the first child's start (wall clock, in its
 * worker) − the wall time taken right before that ctx.map (in the master).
 */
export interface E2eLatencyRow extends E2eRowBase {
  kind: "latency";
  calls: number;
  perCall: number;
  gapMs: number;
  /** Tasks of the e2eSum job run on the same cluster first, to warm it up (not sampled). */
  warmupTasks: number;
  /** Number of samples (= calls, checked). */
  samples: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  /** Every sample in call order, ms. */
  sampleMs: number[];
}

/**
 * kind "dispatchSpeed": an e2eSum job with `dispatchSpeed` set and more tasks
 * than the window lasts. After dispatch began and `warmupSeconds` passed, two
 * readings of the dispatched count (pulled + running + success + failed of T,
 * GET /api/instances/:id) `windowSeconds` apart give achievedPerSec. The job
 * then ran to its end with its sum checked.
 */
export interface E2eSpeedRow extends E2eRowBase {
  kind: "dispatchSpeed";
  n: number;
  /** The setting as submitted, e.g. "2000/s". */
  speed: string;
  configuredPerSec: number;
  achievedPerSec: number;
  /** (achieved − configured) / configured × 100. */
  errorPct: number;
  dispatchedInWindow: number;
  /** Measured length of the window (between the readings' request midpoints), seconds. */
  windowSeconds: number;
  /** Skipped after the first dispatch (the limiter's initial burst), seconds. */
  warmupSeconds: number;
  sumChecked: true;
}

/**
 * kind "recovery": an e2eSum job of n tasks on 2+ workers; once killAt × n
 * sub-tasks succeeded, worker w1 is SIGKILLed. Readings every 20 ms.
 */
export interface E2eRecoveryRow extends E2eRowBase {
  kind: "recovery";
  n: number;
  /** Fraction of n that had succeeded when the kill was ordered. */
  killAt: number;
  /** The worker SIGKILLed. */
  killedWorker: string;
  /** Sub-tasks succeeded at the last reading before the kill. */
  successAtKill: number;
  /** Pulled + running the killed worker held at the first reading after the kill. */
  heldAtKill: number;
  /** Kill → the killed worker's pulled + running reached 0 in the per-worker progress (its tasks back in play), seconds. */
  failoverSeconds: number;
  /** Kill → the bench received the final event: SUCCESS with sum = n (checked), seconds. */
  doneSeconds: number;
  /** Submit → that final event, seconds. */
  totalSeconds: number;
  /** The liveness settings of the run (job settings and the worker's --heartbeat-ms). */
  liveness: Liveness;
  sumChecked: true;
}

/** One row of bench/results/e2e.json. */
export type E2eRow = E2eThroughputRow | E2eLatencyRow | E2eSpeedRow | E2eRecoveryRow;
