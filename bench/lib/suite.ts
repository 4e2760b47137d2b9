/** What every benchmark suite (`core`, later `store`, `e2e`, `peers`) looks like to the runner. */

/** Time budget of a suite run. */
export interface BenchOptions {
  /** Measured rounds per engine and case; the median is reported. @default 5 */
  rounds: number;
  /** Minimum length of one measured round, in ms. @default 200 */
  roundMs: number;
  /** Warm-up per case before the first round, in ms (both engines together). @default 400 */
  warmupMs: number;
  /**
   * Runs each contender (engine) in a worker thread of its own, so neither
   * inherits the other's JIT and V8 process-wide state. Needs the compiled
   * bench (dist/); false runs both in the calling thread. @default true
   */
  isolate: boolean;
  /** Progress lines go here. @default no output */
  log: (line: string) => void;
  /** Problem sizes for suites that take them (e2e: sub-tasks per job); each suite documents its default. */
  sizes?: readonly number[];
  /** Which measurements of a suite to run, by name (e2e: E2E_PARTS); a suite refuses names it does not know. @default all */
  parts?: readonly string[];
  /** e2e: sizes of the throughput rows run again with the master on PostgreSQL ([] for none); the suite documents its default. */
  postgresSizes?: readonly number[];
  /** e2e: CPU profiles (`node --cpu-prof`) of every throughput run's processes go under this folder, one subfolder per run. @default none */
  cpuProfDir?: string;
  /** e2e: the master's SQLite store on a thread of its own (`--store-thread`) in the throughput and scaling rows. */
  storeThread?: boolean;
}

/** The defaults of a full run. */
export const DEFAULT_BENCH_OPTIONS: Readonly<BenchOptions> = {
  rounds: 5,
  roundMs: 200,
  warmupMs: 400,
  isolate: true,
  log: () => {},
};

/** What a suite hands back: rows for the results file, a table for people, notes. */
export interface SuiteResult<Row extends object = object> {
  /** Written to `bench/results/NAME.json`. */
  rows: Row[];
  /** Printed: the first line is the header. */
  table: string[][];
  /** Printed under the table. */
  notes?: string[];
}

/** One benchmark suite; `bench/run.ts` lists them. */
export interface Suite<Row extends object = object> {
  /** The name given on the command line; also the results file's name. */
  readonly name: string;
  /** One line saying what it measures. */
  readonly summary: string;
  /** Runs only when named on the command line (heavy or slow), not in a run of every suite. @default false */
  readonly optIn?: boolean;
  run(options?: Partial<BenchOptions>): Promise<SuiteResult<Row>>;
}

/** Fills defaults and checks a suite's options ("Expected X, got Y"). */
export function resolveBenchOptions(o: Partial<BenchOptions> = {}): BenchOptions {
  const r = { ...DEFAULT_BENCH_OPTIONS, ...o };
  for (const key of ["rounds", "roundMs", "warmupMs"] as const) {
    const v = r[key];
    const min = key === "rounds" ? 1 : 0;
    if (!Number.isFinite(v) || v < min) throw new RangeError(`${key}: Expected a number >= ${min}, got ${String(v)}`);
  }
  return r;
}
