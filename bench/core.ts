// The core suite: each hot-path operation in batches, on the WASM core and
// on its TypeScript twin, in the same process and run, with the same inputs.
// Each engine runs in a worker thread of its own (see lib/contender.ts for
// why); the main thread alternates their rounds.
import { RUNNING, SUCCESS, ROUTE_ROUND_ROBIN, ROUTE_WORKER_LOAD, N_TOTAL } from "../core-as/shared/constants.ts";
import { createWasmCore, createTwinCore, type Core, type CoreOptions } from "../src/core/index.ts";
import { inThread, measurePair, spread, type Contender, type Step } from "./lib/measure.ts";
import { WorkerContender } from "./lib/contender.ts";
import { availableParallelism, loadavg } from "node:os";
import { resolveBenchOptions, type BenchOptions, type Suite, type SuiteResult } from "./lib/suite.ts";
import { perSecond } from "./lib/table.ts";

/** One result row of `bench/results/core.json`. */
export interface CoreRow {
  op: string;
  /** Items per call into the core (1 = a scalar call). */
  batch: number;
  /** Workers in the worker table, for routing ops. */
  workers?: number;
  /** Median items (tasks) per second on the WASM core. */
  wasmOpsPerSec: number;
  /** Median items (tasks) per second on the TypeScript twin. */
  tsOpsPerSec: number;
  /** wasmOpsPerSec / tsOpsPerSec. */
  ratio: number;
  /** (max - min) / median of the rounds, per engine: how noisy the figure is. */
  wasmSpread: number;
  tsSpread: number;
}

/** Options of the core suite: the time budget plus which sizes to run. */
export interface CoreBenchOptions extends BenchOptions {
  /** Batch sizes (items per call). @default [64, 1024] */
  batches: number[];
  /** Worker-table sizes for routing. @default [10, 100, 1000] */
  workers: number[];
  /** Only ops whose name contains this text. @default every op */
  only: string;
}

/** What a case is, as plain data: it crosses into the worker thread that runs an engine. */
export interface CaseSpec {
  kind: "queue" | "round-robin" | "worker-load" | "lifecycle" | "requeue" | "limiter" | "baseline";
  batch: number;
  workers?: number;
}

/** One operation measured: builds a step over a core (same inputs for both engines). */
interface Case {
  op: string;
  /** Whether this op crosses into the core once per batch (the 2x target applies). */
  batched: boolean;
  batch: number;
  workers?: number;
  /** Core sizes; both engines get the same. */
  core?: CoreOptions;
  /** Prepares a core and returns its step; the step returns the items it handled. */
  setup(core: Core): Step;
}

/** A small deterministic PRNG (mulberry32), so both engines see the same "random" inputs. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fail(what: string, got: number, want: number): never {
  throw new Error(`core bench: ${what} handled ${got} items, expected ${want}`);
}

/** Queue push then pop of a batch, over a standing backlog so the ring wraps. */
function queueCase(batch: number): Case {
  return {
    op: "queue push+pop", batched: true, batch, core: { queueCapacity: 10_000 },
    setup(core) {
      const q = core.queue;
      const handles = Uint32Array.from({ length: batch }, (_, i) => Math.imul(i + 1, 0x9e3779b1) >>> 0);
      const out = new Uint32Array(batch);
      const backlog = new Uint32Array(3001);
      q.pushBatch(backlog);
      return () => {
        q.pushBatch(handles);
        return q.popBatch(out);
      };
    },
  };
}

/** The worker table both routing cases use: every worker alive, worker 0 the master's own. */
function workerTable(core: Core, workers: number, slots: Int32Array | null): void {
  const rnd = prng(workers);
  for (let i = 0; i < workers; i++) {
    core.router.setWorker(i, {
      alive: true, invalid: false, isMaster: i === 0, freeSlots: slots ? slots[i]! : 0,
      // Few distinct values, so ties reach every tie-break level.
      cpuFree: Math.floor(rnd() * 4) / 4, memFree: Math.floor(rnd() * 4) / 4, latencyMs: Math.floor(rnd() * 8),
    });
  }
  core.router.workerCount = workers;
}

/** Round-robin routing of a batch (B5), skipping the master's own worker. */
function roundRobinCase(batch: number, workers: number): Case {
  return {
    op: "route round-robin", batched: true, batch, workers, core: { maxWorkers: 1024 },
    setup(core) {
      workerTable(core, workers, null);
      core.router.configure({ mode: ROUTE_ROUND_ROBIN, execOnMaster: false, startIndex: 3 });
      const out = new Int32Array(batch);
      return () => core.router.route(batch, out);
    },
  };
}

/**
 * Worker-load routing of a batch (B7). Each step first refills the free slots
 * from a template with one typed-array `set`, which costs both engines the
 * same, and is part of what is timed (the master refreshes slots per round too).
 */
function workerLoadCase(batch: number, workers: number): Case {
  return {
    op: "route worker-load", batched: true, batch, workers, core: { maxWorkers: 1024 },
    setup(core) {
      const rnd = prng(batch * 7919 + workers);
      const per = Math.ceil(batch / workers);
      const template = Int32Array.from({ length: workers }, () => per + Math.floor(rnd() * 4));
      workerTable(core, workers, template);
      core.router.configure({ mode: ROUTE_WORKER_LOAD, execOnMaster: true });
      const slots = core.router.freeSlots, out = new Int32Array(batch);
      return () => {
        slots.set(template);
        return core.router.route(batch, out);
      };
    },
  };
}

/** Inputs of the task-table cases: 4 task names, tasks spread over 100 workers. */
function taskInputs(batch: number) {
  const names = Int32Array.from({ length: batch }, (_, i) => i & 3);
  const perName = new Int32Array(4);
  for (const n of names) perName[n]!++;
  return {
    names,
    perName,
    nameIds: Int32Array.of(0, 1, 2, 3),
    attempts: new Int32Array(batch),
    workers: Int32Array.from({ length: batch }, (_, i) => i % 100),
    running: new Int32Array(batch).fill(RUNNING),
    success: new Int32Array(batch).fill(SUCCESS),
    handles: new Uint32Array(batch),
    codes: new Int32Array(batch),
  };
}

/**
 * A task's whole life in the core, a batch at a time: counters add → admit →
 * assign → report RUNNING → report SUCCESS (the slot is recycled). Items = tasks.
 */
function lifecycleCase(batch: number): Case {
  return {
    op: "task lifecycle", batched: true, batch, core: { tableCapacity: 65_536, maxWorkers: 1024, maxNames: 64 },
    setup(core) {
      const x = taskInputs(batch), t = core.table, c = core.counters, nameView = c.nameView;
      return () => {
        // Keep the counters far from overflow on very long runs (one read a step).
        if (nameView[N_TOTAL]! > 1e9) c.reset();
        c.add(x.nameIds, x.perName);
        const k = t.admit(x.names, x.attempts, batch, x.handles);
        t.assign(x.handles, x.workers, k, x.codes);
        t.report(x.handles, x.attempts, x.workers, x.running, k, x.codes);
        return t.report(x.handles, x.attempts, x.workers, x.success, k, x.codes);
      };
    },
  };
}

/** Failover of a batch: requeue (PULLED → INIT, attempt + 1), then assign again. Items = tasks. */
function requeueCase(batch: number): Case {
  return {
    op: "requeue + re-assign", batched: true, batch, core: { tableCapacity: 65_536, maxWorkers: 1024 },
    setup(core) {
      const x = taskInputs(batch), t = core.table;
      core.counters.add(x.nameIds, x.perName);
      t.admit(x.names, x.attempts, batch, x.handles);
      t.assign(x.handles, x.workers, batch, x.codes);
      return () => {
        const k = t.requeue(x.handles, batch, x.codes);
        t.assign(x.handles, x.workers, batch, x.codes);
        return k;
      };
    },
  };
}

/** Scalar: one limiter take per dispatch round; 1,024 calls per step, items = calls. */
function limiterCase(): Case {
  return {
    op: "limiter take", batched: false, batch: 1,
    setup(core) {
      const l = core.limiter;
      l.configure({ perPeriod: 1e9, periodMs: 1000 }, 0);
      let now = 0;
      return () => {
        let granted = 0;
        for (let i = 0; i < 1024; i++) granted += l.take((now += 0.001), 1);
        return granted;
      };
    },
  };
}

/** Interop baseline: the cheapest call into each engine (queue.clear), 1,024 per step. */
function baselineCase(): Case {
  return {
    op: "baseline: queue.clear call", batched: false, batch: 1,
    setup(core) {
      const q = core.queue;
      return () => {
        for (let i = 0; i < 1024; i++) q.clear();
        return 1024;
      };
    },
  };
}

/** The case a spec names. */
function caseOf(spec: CaseSpec): Case {
  switch (spec.kind) {
    case "queue": return queueCase(spec.batch);
    case "round-robin": return roundRobinCase(spec.batch, spec.workers!);
    case "worker-load": return workerLoadCase(spec.batch, spec.workers!);
    case "lifecycle": return lifecycleCase(spec.batch);
    case "requeue": return requeueCase(spec.batch);
    case "limiter": return limiterCase();
    case "baseline": return baselineCase();
  }
}

/** Every case of a run, in table order. */
function specs(o: CoreBenchOptions): CaseSpec[] {
  const out: CaseSpec[] = [];
  for (const batch of o.batches) out.push({ kind: "queue", batch });
  for (const workers of o.workers) for (const batch of o.batches) out.push({ kind: "round-robin", batch, workers });
  for (const workers of o.workers) for (const batch of o.batches) out.push({ kind: "worker-load", batch, workers });
  for (const batch of o.batches) out.push({ kind: "lifecycle", batch });
  for (const batch of o.batches) out.push({ kind: "requeue", batch });
  out.push({ kind: "limiter", batch: 1 }, { kind: "baseline", batch: 1 });
  return out;
}

/**
 * The step of one case on one engine, over a fresh core, after checking that
 * a trial step handles the expected number of items. Worker threads call it.
 */
export function coreStep(spec: CaseSpec, engine: string): Step {
  const c = caseOf(spec);
  const core = engine === "wasm" ? createWasmCore(c.core) : engine === "ts" ? createTwinCore(c.core) : null;
  if (!core) throw new Error(`core bench: engine: Expected "wasm" or "ts", got ${JSON.stringify(engine)}`);
  const step = c.setup(core);
  const want = c.batched ? c.batch : 1024;
  const got = step();
  if (got !== want) fail(`${c.op} (${engine})`, got, want);
  return step;
}

/** Runs one case on both engines. */
async function runCase(spec: CaseSpec, o: CoreBenchOptions, pair: { wasm: WorkerContender; ts: WorkerContender } | null): Promise<CoreRow> {
  const c = caseOf(spec);
  let wasm: Contender, ts: Contender;
  if (pair) {
    await pair.wasm.setup(spec, "wasm");
    await pair.ts.setup(spec, "ts");
    ({ wasm, ts } = pair);
  } else {
    wasm = inThread(coreStep(spec, "wasm"));
    ts = inThread(coreStep(spec, "ts"));
  }
  const r = await measurePair(wasm, ts, o);
  return {
    op: c.op, batch: c.batch, ...(c.workers === undefined ? {} : { workers: c.workers }),
    wasmOpsPerSec: Math.round(r.a), tsOpsPerSec: Math.round(r.b), ratio: Number((r.a / r.b).toFixed(3)),
    wasmSpread: Number(spread(r.aRounds).toFixed(3)), tsSpread: Number(spread(r.bRounds).toFixed(3)),
  };
}

/** Runs the core suite and returns its rows; `options` trims the time budget (tests use a tiny one). */
export async function runCoreBench(options: Partial<CoreBenchOptions> = {}): Promise<SuiteResult<CoreRow>> {
  const o: CoreBenchOptions = {
    ...resolveBenchOptions(options),
    batches: options.batches ?? [64, 1024],
    workers: options.workers ?? [10, 100, 1000],
    only: options.only ?? "",
  };
  const rows: CoreRow[] = [];
  const loadBefore = loadavg()[0]!;
  const list = specs(o).filter((spec) => caseOf(spec).op.includes(o.only));
  const source = { module: import.meta.url, factory: "coreStep" };
  const pair = o.isolate ? { wasm: new WorkerContender(source), ts: new WorkerContender(source) } : null;
  try {
    for (const spec of list) {
      const row = await runCase(spec, o, pair);
      rows.push(row);
      o.log(`core: ${row.op} batch ${row.batch}${row.workers ? ` workers ${row.workers}` : ""}: ratio ${row.ratio}`);
    }
  } finally {
    await Promise.all([pair?.wasm.close(), pair?.ts.close()]);
  }
  const table = [
    ["op", "batch", "workers", "wasm", "ts", "wasm/ts", "noise w/t"],
    ...rows.map((r) => [
      r.op, String(r.batch), r.workers === undefined ? "" : String(r.workers), perSecond(r.wasmOpsPerSec),
      perSecond(r.tsOpsPerSec), `${r.ratio.toFixed(2)}x`, `${pct(r.wasmSpread)}/${pct(r.tsSpread)}`,
    ]),
  ];
  const batched = list.map((spec) => caseOf(spec).batched);
  const under = rows.filter((r, i) => batched[i] && r.ratio < 2);
  const notes = [
    `items/s = tasks (or calls, batch 1) per second; median of ${o.rounds} interleaved rounds of >= ${o.roundMs} ms after ${o.warmupMs} ms warm-up; ` +
      (o.isolate ? "each engine in a worker thread of its own" : "both engines in one thread"),
    `1-minute load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after (${availableParallelism()} cores): other work skews figures`,
    under.length === 0 ? "every batched op reached the 2x target" : `batched ops under the 2x target: ${under.length} of ${batched.filter(Boolean).length} (see bench/RESULTS.md)`,
  ];
  return { rows, table, notes };
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** The core suite, as `bench/run.ts` lists it. */
export const coreSuite: Suite<CoreRow> = {
  name: "core",
  summary: "hot-path ops in batches, WASM core vs TypeScript twin",
  run: (options) => runCoreBench(options),
};
