// The map1m suite (B32): one `ctx.map` call of 1,000,000 small bodies on a
// real cluster (a master process on a fresh SQLite file, one worker process),
// while the bench asks the master's /health over and over. It reports the
// master's peak RSS (VmHWM, so no short peak is missed) and the longest
// /health answer during the map. Long, so it runs only when named:
// `npm run bench -- map1m [--sizes=N]`.
import { loadavg } from "node:os";
import { startCluster } from "./e2e/cluster.ts";
import { submit, view, kill } from "./e2e/api.ts";
import type { Suite, SuiteResult, BenchOptions } from "./lib/suite.ts";
import { count } from "./report/number-format.ts";

/** One row of bench/results/map1m.json. */
export interface Map1mRow {
  /** Bodies of the one map call. */
  n: number;
  /** Submit → ROOT's map call resolved (ROOT SUCCESS), seconds. */
  mapSeconds: number;
  /** Tasks stored by then: every child counted once (checked = n). */
  stored: number;
  /** Peak RSS (VmHWM) of the master process over the run, MB. */
  masterPeakRssMB: number | null;
  /** The longest /health answer while the map ran, ms. */
  healthMaxMs: number;
  /** /health requests made while the map ran (one after the other). */
  healthSamples: number;
  /** 1-minute load average after the run. */
  loadAvg1m: number;
  /** Issue 14's ceilings for this row. */
  targets: { masterPeakRssMB: number; healthMaxMs: number };
}

/** Issue 14's ceilings: master peak RSS ≤ 250 MB, /health within 200 ms throughout. */
export const MAP1M_TARGETS = { masterPeakRssMB: 250, healthMaxMs: 200 } as const;

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Runs one map of `n` bodies; returns its row. */
async function measure(n: number, log: (line: string) => void): Promise<Map1mRow> {
  const cluster = await startCluster({ workers: 1, slots: 8, log });
  let stopped = false;
  try {
    // Warm the route first: the first answers of a fresh process include its JIT and connection setup.
    for (let i = 0; i < 20; i++) await (await fetch(`${cluster.url}/health`)).arrayBuffer();
    const t0 = performance.now();
    const id = await submit(cluster.url, "e2eMapAll", { n }, { execOnMaster: false, retainTasks: "none" });
    let healthMaxMs = 0, healthSamples = 0, mapSeconds = 0, stored = 0, done = false;
    // /health, one request after the other, for as long as the map runs.
    const probe = (async () => {
      while (!done) {
        const s = performance.now();
        const r = await fetch(`${cluster.url}/health`);
        await r.arrayBuffer();
        healthMaxMs = Math.max(healthMaxMs, performance.now() - s);
        healthSamples++;
        await new Promise((r2) => setTimeout(r2, 10));
      }
    })();
    for (;;) {
      const v = await view(cluster.url, id);
      const root = v.progress?.names.ROOT;
      if (v.status !== "RUNNING" || (root && root.success + root.failed > 0)) {
        mapSeconds = (performance.now() - t0) / 1000;
        stored = v.progress?.names.M?.total ?? 0;
        if (v.status === "FAILED" || (root?.failed ?? 0) > 0) throw new Error(`map1m: the job failed: ${JSON.stringify(v.result)}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    done = true;
    await probe;
    if (stored !== n) throw new Error(`map1m: ${stored} children stored, expected ${n}`);
    log(`map1m: n=${count(n)} map ${mapSeconds.toFixed(1)} s, /health max ${healthMaxMs.toFixed(0)} ms over ${healthSamples} requests`);
    await kill(cluster.url, id, "map1m measured");
    const rss = await cluster.stop();
    stopped = true;
    return {
      n, mapSeconds: round1(mapSeconds), stored, masterPeakRssMB: rss.masterMB, healthMaxMs: round1(healthMaxMs), healthSamples,
      loadAvg1m: round1(loadavg()[0]!), targets: { ...MAP1M_TARGETS },
    };
  } finally {
    if (!stopped) await cluster.stop();
  }
}

/** The map1m suite: `sizes` (default [1,000,000]) bodies in one map call, one run each. */
export const map1mSuite: Suite<Map1mRow> = {
  name: "map1m",
  summary: "one ctx.map of 1,000,000 bodies: master peak RSS and the longest /health answer (run only when named)",
  optIn: true,
  async run(o: Partial<BenchOptions> = {}): Promise<SuiteResult<Map1mRow>> {
    const log = o.log ?? (() => {});
    const rows: Map1mRow[] = [];
    for (const n of o.sizes ?? [1_000_000]) rows.push(await measure(n, log));
    return {
      rows,
      table: [["N", "map s", "master peak RSS", "/health max", "/health samples"],
        ...rows.map((r) => [count(r.n), String(r.mapSeconds), `${r.masterPeakRssMB ?? "?"} MB`, `${r.healthMaxMs} ms`, String(r.healthSamples)])],
      notes: [`Targets: master peak RSS ≤ ${MAP1M_TARGETS.masterPeakRssMB} MB, /health ≤ ${MAP1M_TARGETS.healthMaxMs} ms throughout.`],
    };
  },
};
