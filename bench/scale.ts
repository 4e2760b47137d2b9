// The scale suite: several masters on one PostgreSQL store (X3) against one.
// The same job mix — `instances` instances of the e2e MapReduce of `n` no-op
// tasks (ROOT maps them in pages of 1,000, reduce sums and is checked = n),
// submitted at once, round-robin over the masters — runs on M shared master
// processes and W worker processes that serve them all (bench/scale/cluster.ts),
// for each M given; tasks/s = instances × n over first createdAt → last
// finishedAt as the store records them. Rounds interleave the configurations,
// so drift hits each alike; every round starts a fresh cluster on a fresh schema.
import { availableParallelism } from "node:os";
import { submit, waitDone, type View } from "./e2e/api.ts";
import { throughputSettings } from "./e2e/settings.ts";
import { median } from "./lib/measure.ts";
import type { BenchOptions, Suite, SuiteResult } from "./lib/suite.ts";
import { perSecond } from "./lib/table.ts";
import { startSharedCluster } from "./scale/cluster.ts";

/** One result row of `bench/results/scale.json`. */
export interface ScaleRow {
  /** "2 masters × 2 workers". */
  config: string;
  masters: number;
  workers: number;
  /** Instances submitted at once, round-robin over the masters. */
  instances: number;
  /** No-op T tasks per instance. */
  n: number;
  /** Dispatch mode of every instance. */
  mode: "push";
  /** Median seconds from the first instance's creation to the last one's end. */
  seconds: number;
  /** instances × n / seconds. */
  tasksPerSec: number;
  /** Seconds of each round, in order. */
  roundSeconds: number[];
  /** Median CPU seconds of the master processes together over a round (start to stop). */
  masterCpuSeconds: number;
  /** Median CPU seconds of the worker processes together. */
  workerCpuSeconds: number;
  /** Median CPU seconds of the local PostgreSQL server's processes over a round; null when it runs elsewhere. */
  storeCpuSeconds: number | null;
  store: "postgres";
  /** The job settings every instance ran with. */
  settings: Record<string, unknown>;
}

/** Options of the scale suite. */
export interface ScaleBenchOptions {
  /** Master counts to compare, one row each. @default [1, 2] */
  masters: readonly number[];
  /** Worker processes, each serving every master. @default 2 */
  workers: number;
  /** Instances per round. @default 8 */
  instances: number;
  /** No-op tasks per instance. @default 50_000 */
  n: number;
  /** Measured rounds per configuration; the median is reported. @default 3 */
  rounds: number;
  /** The PostgreSQL server. @default TASKMILL_PG_URL, else postgres://postgres@127.0.0.1:5432/test */
  pgUrl: string;
  /** Progress lines go here. @default no output */
  log: (line: string) => void;
}

function checkCount(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) throw new RangeError(`${name}: Expected an integer >= ${min}, got ${String(value)}`);
  return value;
}

/** Fills defaults and checks the options ("Expected X, got Y"). */
export function resolveScaleOptions(o: Partial<ScaleBenchOptions & BenchOptions> = {}): ScaleBenchOptions {
  const masters = o.masters ?? [1, 2];
  if (!Array.isArray(masters) || masters.length === 0) throw new RangeError(`masters: Expected at least one master count, got ${String(masters)}`);
  masters.forEach((m, i) => checkCount(`masters[${i}]`, m, 1));
  return {
    masters,
    workers: checkCount("workers", o.workers ?? 2, 1),
    instances: checkCount("instances", o.instances ?? 8, 1),
    n: checkCount("n", o.n ?? 50_000, 1),
    rounds: checkCount("rounds", o.rounds ?? 3, 1),
    pgUrl: o.pgUrl ?? process.env.TASKMILL_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    log: o.log ?? (() => {}),
  };
}

/** One round of one configuration. */
async function round(o: ScaleBenchOptions, masters: number): Promise<{ seconds: number; cpu: { masters: number; workers: number; store: number | null } }> {
  const cluster = await startSharedCluster({ masters, workers: o.workers, pgUrl: o.pgUrl });
  try {
    const settings = throughputSettings("push");
    const ids = await Promise.all(Array.from({ length: o.instances }, (_, i) =>
      submit(cluster.masters[i % masters]!, "e2eSum", { n: o.n }, settings).then((id) => ({ id, url: cluster.masters[i % masters]! }))));
    // Generous: a stalled instance fails the run rather than hanging it.
    const timeoutMs = 120_000 + (o.instances * o.n) / 5;
    const views: View[] = (await Promise.all(ids.map(({ id, url }) => waitDone(url, id, timeoutMs)))).map((d) => d.view);
    for (const v of views) {
      const r = v.result as { sum?: number } | null;
      if (v.status !== "SUCCESS" || r?.sum !== o.n) throw new Error(`scale: instance ${v.instanceId} ended ${v.status} with ${JSON.stringify(v.result)}; expected sum ${o.n}`);
    }
    const start = Math.min(...views.map((v) => v.createdAt));
    const end = Math.max(...views.map((v) => v.finishedAt!));
    return { seconds: (end - start) / 1000, cpu: { ...cluster.cpu(), store: cluster.storeCpu() } };
  } finally {
    await cluster.stop();
  }
}

/** Runs every configuration `rounds` times, interleaved, and reports one row per configuration. */
export async function runScaleBench(opts: Partial<ScaleBenchOptions & BenchOptions> = {}): Promise<SuiteResult<ScaleRow>> {
  const o = resolveScaleOptions(opts);
  const seconds = new Map<number, number[]>(o.masters.map((m) => [m, []]));
  const cpu = new Map<number, { masters: number[]; workers: number[]; store: number[] }>(o.masters.map((m) => [m, { masters: [], workers: [], store: [] }]));
  for (let r = 1; r <= o.rounds; r++) {
    for (const m of o.masters) {
      const got = await round(o, m);
      seconds.get(m)!.push(got.seconds);
      cpu.get(m)!.masters.push(got.cpu.masters);
      cpu.get(m)!.workers.push(got.cpu.workers);
      if (got.cpu.store !== null) cpu.get(m)!.store.push(got.cpu.store);
      o.log(`scale: round ${r}/${o.rounds}, ${m} master(s) × ${o.workers} workers: ${got.seconds.toFixed(2)} s, ${perSecond((o.instances * o.n) / got.seconds)}`);
    }
  }
  const rows: ScaleRow[] = o.masters.map((m) => {
    const s = median(seconds.get(m)!);
    return {
      config: `${m} master${m === 1 ? "" : "s"} × ${o.workers} workers`, masters: m, workers: o.workers,
      instances: o.instances, n: o.n, mode: "push", seconds: Math.round(s * 1000) / 1000,
      tasksPerSec: Math.round((o.instances * o.n) / s), roundSeconds: seconds.get(m)!.map((x) => Math.round(x * 1000) / 1000),
      masterCpuSeconds: Math.round(median(cpu.get(m)!.masters) * 100) / 100, workerCpuSeconds: Math.round(median(cpu.get(m)!.workers) * 100) / 100,
      storeCpuSeconds: cpu.get(m)!.store.length === 0 ? null : Math.round(median(cpu.get(m)!.store) * 100) / 100,
      store: "postgres", settings: throughputSettings("push"),
    };
  });
  const base = rows[0]!;
  const table = [
    ["config", "tasks", "seconds", "tasks/s", `vs ${base.config}`, "master CPU s", "worker CPU s", "PostgreSQL CPU s"],
    ...rows.map((r) => [
      r.config, String(r.instances * r.n), r.seconds.toFixed(2), perSecond(r.tasksPerSec),
      `${(r.tasksPerSec / base.tasksPerSec).toFixed(2)}×`, r.masterCpuSeconds.toFixed(1), r.workerCpuSeconds.toFixed(1),
      r.storeCpuSeconds === null ? "—" : r.storeCpuSeconds.toFixed(1),
    ]),
  ];
  const notes = [
    `${o.instances} instances × ${o.n.toLocaleString("en-US")} no-op tasks, submitted at once round-robin over the masters; PostgreSQL store, shared masters (leases); median of ${o.rounds} round(s)`,
    `${availableParallelism()} cores here: every master, worker and the PostgreSQL server share them, so a second master adds dispatch capacity only where cores are idle`,
    "CPU seconds are per round, start to stop; PostgreSQL's counts the local server's processes (backends that exited meanwhile are missed)",
  ];
  return { rows, table, notes };
}

/** The scale suite for bench/run.ts. */
export const scaleSuite: Suite<ScaleRow> = {
  name: "scale",
  summary: "2 shared masters × 2 workers vs 1 master on one PostgreSQL store, same job mix: tasks/s",
  run: (o) => runScaleBench(o),
};
