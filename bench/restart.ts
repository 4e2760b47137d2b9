// The restart suite (B28): how much of a job a master restart runs again. A SQLite master
// is SIGKILLed at ~40 % of a 20,000-task job (2 worker processes, tasks of ~5 ms) and
// started again at once on the same file and port; the row says how many tasks ran twice
// (counted in the workers), how long the restart and the resume took, and that the
// counters and the result are exact. Heavy and over a minute with its build: not in the
// default run — `npm run bench -- restart`.
import { loadavg } from "node:os";
import { measureRestart } from "./restart/measure.ts";
import type { BenchOptions, Suite, SuiteResult } from "./lib/suite.ts";

/** One row of bench/results/restart.json. */
export interface RestartRow {
  kind: "restart";
  store: "sqlite";
  workers: number;
  /** Sub-tasks of the job, and how long each runs, ms. */
  n: number;
  taskMs: number;
  /** The job settings submitted. */
  settings: Record<string, number | string | boolean>;
  /** Fraction of n done when the master was SIGKILLed. */
  killAt: number;
  successAtKill: number;
  /** Kill → the new master ready (it resumed the instance), seconds. */
  restartSeconds: number;
  /** Kill → the first task succeeded after the restart, seconds. */
  resumeSeconds: number;
  /** Kill → the instance final (SUCCESS with sum = n, checked), seconds. */
  doneSeconds: number;
  /** Tasks that ran more than once, and their share of n. */
  ranTwice: number;
  ranTwicePct: number;
  /** Runs of the sub-tasks in all (n when nothing ran twice). */
  runs: number;
  countersExact: boolean;
  sumChecked: true;
  /** The 1-minute load average after the run. */
  loadAvg1m: number[];
  /** Targets of the restart work: at most 1 % of the tasks run twice. */
  targets: Record<string, number>;
}

/** Options of the restart suite (the smoke test shrinks it). */
export interface RestartInput extends Partial<BenchOptions> {
  /** Sub-tasks. @default 20_000 */
  n?: number;
  /** ms per task. @default 5 */
  taskMs?: number;
  /** Fraction done at the kill. @default 0.4 */
  killAt?: number;
}

/** Runs the restart measurement once. */
export async function runRestartBench(o: RestartInput = {}): Promise<SuiteResult<RestartRow>> {
  const log = o.log ?? (() => {});
  const n = o.sizes?.[0] ?? o.n ?? 20_000, taskMs = o.taskMs ?? 5, killAt = o.killAt ?? 0.4, workers = 2;
  if (!Number.isInteger(n) || n < 100) throw new RangeError(`n: Expected an integer >= 100, got ${String(n)}`);
  const settings = { execOnMaster: false, consumerSize: 8, pageSize: 100, livenessTimeoutMs: 5000 };
  log(`restart: n=${n.toLocaleString("en")}, ${taskMs} ms tasks, ${workers} workers, SIGKILL the master at ${Math.round(killAt * 100)} % done`);
  const m = await measureRestart(n, taskMs, killAt, workers, settings, log);
  const row: RestartRow = {
    kind: "restart", store: "sqlite", workers, n, taskMs, settings, killAt, successAtKill: m.successAtKill,
    restartSeconds: m.restartSeconds, resumeSeconds: m.resumeSeconds, doneSeconds: m.doneSeconds,
    ranTwice: m.ranTwice, ranTwicePct: (100 * m.ranTwice) / n, runs: m.runs, countersExact: m.countersExact, sumChecked: true,
    loadAvg1m: [loadavg()[0]!], targets: { ranTwicePct: 1 },
  };
  const table = [
    ["n", "killed at", "ran twice", "restart", "resume", "kill → done", "counters"],
    [n.toLocaleString("en"), `${m.successAtKill.toLocaleString("en")} done`, `${m.ranTwice} (${row.ranTwicePct.toFixed(2)} %; target ≤ 1 % ${row.ranTwicePct <= 1 ? "met" : "MISSED"})`,
      `${m.restartSeconds.toFixed(2)} s`, `${m.resumeSeconds.toFixed(2)} s`, `${m.doneSeconds.toFixed(2)} s`, m.countersExact ? "exact" : "WRONG"],
  ];
  return { rows: [row], table, notes: ["ran twice = tasks with more than one run in the workers' run logs; restart = kill → the new master ready; resume = kill → the first task done after it"] };
}

/** The restart suite, as `bench/run.ts` lists it: only when named. */
export const restartSuite: Suite<RestartRow> = {
  name: "restart",
  summary: "a SQLite master SIGKILLed at 40 % of a 20,000-task job and restarted at once: tasks run twice, time to resume (only when named)",
  optIn: true,
  run: (options) => runRestartBench(options),
};
