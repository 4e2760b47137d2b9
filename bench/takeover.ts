// The takeover suite (B36): how much of a job a takeover runs again. Two shared masters on
// PostgreSQL; the owner is SIGKILLed at ~40 % of a 20,000-task job (2 worker processes joined
// to both masters, tasks of ~5 ms); the other master takes the instance over once the lease
// runs out, and the workers hand it the tasks they hold. The row says how many tasks ran twice
// (counted in the workers), how long until the other master owned the instance and until the
// job went on, and that the counters and the result are exact. Heavy: not in the default run —
// `npm run bench -- takeover`.
import { loadavg } from "node:os";
import { measureTakeover, type LeaseTiming } from "./takeover/measure.ts";
import type { BenchOptions, Suite, SuiteResult } from "./lib/suite.ts";

/** One row of bench/results/takeover.json. */
export interface TakeoverRow {
  kind: "takeover";
  store: "postgres";
  masters: 2;
  workers: number;
  /** Sub-tasks of the job, and how long each runs, ms. */
  n: number;
  taskMs: number;
  /** The job settings submitted, and the masters' lease timing. */
  settings: Record<string, number | string | boolean>;
  lease: LeaseTiming;
  /** Fraction of n done when the owner was SIGKILLed. */
  killAt: number;
  successAtKill: number;
  /** Kill → the other master owned the instance, seconds (bounded by leaseMs + takeoverMs). */
  takeoverSeconds: number;
  /** Kill → the first task succeeded after the takeover, seconds. */
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
  /** Targets: at most 1 % of the tasks run twice. */
  targets: Record<string, number>;
}

/** Options of the takeover suite. */
export interface TakeoverInput extends Partial<BenchOptions> {
  /** Sub-tasks. @default 20_000 */
  n?: number;
  /** ms per task. @default 5 */
  taskMs?: number;
  /** Fraction done at the kill. @default 0.4 */
  killAt?: number;
  /** The PostgreSQL server. @default TASKMILL_PG_URL, else postgres://postgres@127.0.0.1:5432/test */
  pgUrl?: string;
}

/** Short leases, so the takeover comes within seconds (the defaults give 10 s). */
const LEASE: LeaseTiming = { leaseMs: 3000, renewMs: 1000, takeoverMs: 500 };

/** Runs the takeover measurement once. */
export async function runTakeoverBench(o: TakeoverInput = {}): Promise<SuiteResult<TakeoverRow>> {
  const log = o.log ?? (() => {});
  const n = o.sizes?.[0] ?? o.n ?? 20_000, taskMs = o.taskMs ?? 5, killAt = o.killAt ?? 0.4, workers = 2;
  if (!Number.isInteger(n) || n < 100) throw new RangeError(`n: Expected an integer >= 100, got ${String(n)}`);
  const pgUrl = o.pgUrl ?? process.env.TASKMILL_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const settings = { execOnMaster: false, consumerSize: 8, pageSize: 100, livenessTimeoutMs: 5000 };
  log(`takeover: n=${n.toLocaleString("en")}, ${taskMs} ms tasks, ${workers} workers, 2 shared masters on PostgreSQL, SIGKILL the owner at ${Math.round(killAt * 100)} % done`);
  const m = await measureTakeover(pgUrl, n, taskMs, killAt, workers, LEASE, settings, log);
  const row: TakeoverRow = {
    kind: "takeover", store: "postgres", masters: 2, workers, n, taskMs, settings, lease: LEASE, killAt, successAtKill: m.successAtKill,
    takeoverSeconds: m.takeoverSeconds, resumeSeconds: m.resumeSeconds, doneSeconds: m.doneSeconds,
    ranTwice: m.ranTwice, ranTwicePct: (100 * m.ranTwice) / n, runs: m.runs, countersExact: m.countersExact, sumChecked: true,
    loadAvg1m: [loadavg()[0]!], targets: { ranTwicePct: 1 },
  };
  const table = [
    ["n", "killed at", "ran twice", "takeover", "resume", "kill → done", "counters"],
    [n.toLocaleString("en"), `${m.successAtKill.toLocaleString("en")} done`, `${m.ranTwice} (${row.ranTwicePct.toFixed(2)} %; target ≤ 1 % ${row.ranTwicePct <= 1 ? "met" : "MISSED"})`,
      `${m.takeoverSeconds.toFixed(2)} s`, `${m.resumeSeconds.toFixed(2)} s`, `${m.doneSeconds.toFixed(2)} s`, m.countersExact ? "exact" : "WRONG"],
  ];
  return {
    rows: [row], table,
    notes: [`ran twice = tasks with more than one run in the workers' run logs; takeover = kill → the other master owns the instance (lease ${LEASE.leaseMs} ms, scan every ${LEASE.takeoverMs} ms); resume = kill → the first task done after it`],
  };
}

/** The takeover suite, as `bench/run.ts` lists it: only when named. */
export const takeoverSuite: Suite<TakeoverRow> = {
  name: "takeover",
  summary: "two shared masters on PostgreSQL, the owner SIGKILLed at 40 % of a 20,000-task job: tasks run twice, time to resume (only when named)",
  optIn: true,
  run: (options) => runTakeoverBench(options),
};
