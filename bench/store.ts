// The store suite: what each TaskStore backend sustains on the master's
// persistence paths, in the master's batch shapes. One round, on a fresh
// store: insert N tasks (not queued) in batches, claim them back page by
// page (claimInit), record their dispatch one record per batch (recordDispatch,
// B27: no row is marked), finish them SUCCESS with a
// small result (updateStatuses), and read them all back as reduce does
// (results). Only the time inside store calls counts; building the batches
// does not. Backends come from bench/store-backends/index.ts.
import { SUCCESS } from "../core-as/shared/constants.ts";
import type { Fence, NewTask, StatusUpdate, TaskStore } from "../src/store/task-store.ts";
import { STORE_BACKENDS, type StoreBackend } from "./store-backends/index.ts";
import { median, spread } from "./lib/measure.ts";
import type { BenchOptions, Suite, SuiteResult } from "./lib/suite.ts";
import { perSecond } from "./lib/table.ts";

/** The measured phases, in the order a round runs them. */
export const STORE_PHASES = ["insertTasks", "claimInit", "recordDispatch", "updateStatuses", "results"] as const;
export type StorePhase = (typeof STORE_PHASES)[number];

/** Rows per second a backend must reach, per phase (the storage issue's targets). */
export const STORE_TARGETS: Readonly<Record<string, Partial<Record<StorePhase, number>>>> = {
  sqlite: { insertTasks: 600_000, updateStatuses: 500_000 },
  postgres: { insertTasks: 100_000, updateStatuses: 100_000 },
};

/** One result row of `bench/results/store.json`. */
export interface StoreRow {
  backend: string;
  phase: StorePhase;
  /** Rows per round. */
  rows: number;
  /** Rows per store call (the claimInit limit, the results page size). */
  batch: number;
  /** Median rows per second over the rounds. */
  rowsPerSec: number;
  /** (max - min) / median of the rounds. */
  spread: number;
  rounds: number;
  /** Rows per second this backend should reach in this phase, when there is a target. */
  target?: number;
}

/** Options of the store suite. */
export interface StoreBenchOptions {
  /** Tasks per round. @default 1_000_000 */
  rows: number;
  /** Tasks per store call. @default 1000 */
  batch: number;
  /** Measured rounds per backend, each on a fresh store; the median is reported. @default 3 */
  rounds: number;
  /** Tasks of the unmeasured warm-up round per backend (0: none). @default 50_000 */
  warmupRows: number;
  /** Backends to measure. @default STORE_BACKENDS */
  backends: readonly StoreBackend[];
  /** Progress lines go here. @default no output */
  log: (line: string) => void;
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name}: Expected an integer >= ${min}, got ${String(value)}`);
  return value;
}

/** Fills defaults and checks the options ("Expected X, got Y"). */
export function resolveStoreOptions(o: Partial<StoreBenchOptions & BenchOptions> = {}): StoreBenchOptions {
  return {
    rows: checkCount("rows", o.rows ?? 1_000_000, 1),
    batch: checkCount("batch", o.batch ?? 1000, 1),
    rounds: checkCount("rounds", o.rounds ?? 3, 1),
    warmupRows: checkCount("warmupRows", o.warmupRows ?? 50_000, 0),
    backends: o.backends ?? STORE_BACKENDS,
    log: o.log ?? (() => {}),
  };
}

/** Batch `b` of the insert phase: task ids as the master derives them (parent, map call, index). */
function taskBatch(b: number, batch: number, rows: number): NewTask[] {
  const from = b * batch;
  const n = Math.min(batch, rows - from);
  const out: NewTask[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const seq = from + i;
    out[i] = { seq, taskId: `r.${b}.${i}`, parentId: "r", name: "CHUNK", body: [seq * 10, seq * 10 + 10], queued: false };
  }
  return out;
}

function fail(what: string, got: number, want: number): never {
  throw new Error(`store bench: ${what}: got ${got}, expected ${want}`);
}

/** Times one call. */
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, performance.now() - t0];
}

/** One round on a fresh store: ms spent in store calls per phase; checks every phase did all its rows. */
async function round(backend: StoreBackend, rows: number, batch: number): Promise<Record<StorePhase, number>> {
  const store: TaskStore = await backend.open();
  const ms = { insertTasks: 0, claimInit: 0, recordDispatch: 0, updateStatuses: 0, results: 0 };
  try {
    const fence: Fence = await store.createInstance({
      instanceId: `bench-${crypto.randomUUID()}`, processor: "bench", settings: {}, params: null, serialNum: 1, createdAt: Date.now(),
    }, "bench-master");
    const batches = Math.ceil(rows / batch);
    const worker = (b: number) => `worker-${b % 8}@10.0.0.${b % 8}:7000#1`;

    let stored = 0;
    for (let b = 0; b < batches; b++) {
      const tasks = taskBatch(b, batch, rows);
      const [mask, t] = await timed(() => store.insertTasks(fence, tasks));
      ms.insertTasks += t;
      for (let i = 0; i < mask.length; i++) stored += mask[i]!;
    }
    if (stored !== rows) fail(`${backend.name} insertTasks stored`, stored, rows);

    let claimed = 0;
    for (;;) {
      const [page, t] = await timed(() => store.claimInit(fence, batch));
      ms.claimInit += t;
      if (page.length === 0) break;
      claimed += page.length;
    }
    if (claimed !== rows) fail(`${backend.name} claimInit claimed`, claimed, rows);

    for (let b = 0; b < batches; b++) {
      const from = b * batch;
      const seqs = Array.from({ length: Math.min(batch, rows - from) }, (_, i) => from + i);
      const record = { workerId: worker(b).split("#")[0]!, worker: worker(b), seqs, attempts: seqs.map(() => 0) };
      const [, t] = await timed(() => store.recordDispatch(fence, record));
      ms.recordDispatch += t;
    }

    for (let b = 0; b < batches; b++) {
      const from = b * batch;
      const updates: StatusUpdate[] = Array.from({ length: Math.min(batch, rows - from) }, (_, i) => (
        { seq: from + i, status: SUCCESS, attempt: 0, worker: worker(b), result: (from + i) % 97 }));
      const [, t] = await timed(() => store.updateStatuses(fence, updates));
      ms.updateStatuses += t;
    }

    // Reduce reads every row; the time between pages is the reader's, so only the iterator's steps count.
    let read = 0;
    const it = store.results(fence.instanceId, batch)[Symbol.asyncIterator]();
    for (;;) {
      const [next, t] = await timed(() => it.next());
      ms.results += t;
      if (next.done) break;
      read++;
    }
    if (read !== rows) fail(`${backend.name} results read`, read, rows);
    const counts = await store.countByStatus(fence.instanceId);
    const success = counts.find((c) => c.status === SUCCESS)?.count ?? 0;
    if (success !== rows || counts.length !== 1) fail(`${backend.name} tasks in SUCCESS at the end`, success, rows);
  } finally {
    await backend.cleanup(store);
  }
  return ms;
}

/** Runs the store suite and returns its rows; `options` shrinks it (the smoke test runs 2,000 rows). */
export async function runStoreBench(options: Partial<StoreBenchOptions & BenchOptions> = {}): Promise<SuiteResult<StoreRow>> {
  const o = resolveStoreOptions(options);
  const rows: StoreRow[] = [];
  for (const backend of o.backends) {
    if (o.warmupRows > 0) await round(backend, Math.min(o.warmupRows, o.rows), o.batch);
    const perPhase: Record<StorePhase, number[]> = { insertTasks: [], claimInit: [], recordDispatch: [], updateStatuses: [], results: [] };
    for (let r = 0; r < o.rounds; r++) {
      const ms = await round(backend, o.rows, o.batch);
      for (const phase of STORE_PHASES) perPhase[phase].push((o.rows * 1000) / Math.max(ms[phase], 1e-3));
      o.log(`store: ${backend.name} round ${r + 1}/${o.rounds}: ${STORE_PHASES.map((p) => `${p} ${perSecond(perPhase[p].at(-1)!)}`).join(", ")}`);
    }
    for (const phase of STORE_PHASES) {
      const target = STORE_TARGETS[backend.name]?.[phase];
      rows.push({
        backend: backend.name, phase, rows: o.rows, batch: o.batch,
        rowsPerSec: Math.round(median(perPhase[phase])), spread: Number(spread(perPhase[phase]).toFixed(3)), rounds: o.rounds,
        ...(target === undefined ? {} : { target }),
      });
    }
  }
  const table = [
    ["backend", "phase", "rows/s", "noise", "target"],
    ...rows.map((r) => [
      r.backend, r.phase, perSecond(r.rowsPerSec), `${Math.round(r.spread * 100)}%`,
      r.target === undefined ? "" : `${perSecond(r.target)} ${r.rowsPerSec >= r.target ? "met" : "MISSED"}`,
    ]),
  ];
  const missed = rows.filter((r) => r.target !== undefined && r.rowsPerSec < r.target);
  const notes = [
    `rows/s = rows handled per second of time inside store calls (building batches excluded); ${o.rows.toLocaleString("en")} rows per round in calls of ${o.batch.toLocaleString("en")}; ` +
      `median of ${o.rounds} rounds, each on a fresh store${o.warmupRows > 0 ? `, after a ${Math.min(o.warmupRows, o.rows).toLocaleString("en")}-row warm-up round` : ""}`,
    missed.length === 0 ? "every target met" : `targets missed: ${missed.map((r) => `${r.backend} ${r.phase}`).join(", ")} (see bench/RESULTS.md)`,
  ];
  return { rows, table, notes };
}

/** The store suite, as `bench/run.ts` lists it. */
export const storeSuite: Suite<StoreRow> = {
  name: "store",
  summary: "TaskStore backends: insert, claim, mark, finish and read back 1M tasks in batches of 1,000",
  run: (options) => runStoreBench(options),
};
