// The e2e benchmark runs every measurement end to end on tiny jobs — real
// master and worker processes, HTTP, SQLite — and returns rows of the
// documented shape whose sums were checked. It never asserts on speed: that
// is what bench/RESULTS.md is for. The cluster runs the compiled CLI and
// processors (dist/), which npm test builds first.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { e2eSuite, resolveE2eOptions, runE2eBench, E2E_PARTS, type E2eRow, type E2eThroughputRow } from "../bench/e2e.ts";
import { builtFiles } from "../bench/e2e/cluster.ts";
import { checkDiskRoom } from "../bench/e2e/disk-room.ts";
import { quantile } from "../bench/e2e/latency.ts";
import { e2eRate } from "../bench/peers.ts";
import { formatTable } from "../bench/lib/table.ts";
import { ensurePostgres } from "./services.ts";

// PostgreSQL rows run when the local server answers (started if down); otherwise skipped loudly.
const pg = await ensurePostgres();
if ("skip" in pg) console.warn(`\n*** ${pg.skip} ***\n`);
const pgSizes = "skip" in pg ? [] : [200];

const dir = mkdtempSync(join(tmpdir(), "taskmill-e2e-smoke-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const positive = (x: number | null | undefined) => typeof x === "number" && Number.isFinite(x) && x > 0;
const FAST_LIVENESS = { heartbeatMs: 200, livenessTimeoutMs: 1500, workerHeartbeatMs: 200 };

describe("bench: e2e suite smoke", () => {
  it("runs throughput (push, pull; SQLite and PostgreSQL), scaling, latency, dispatchSpeed and recovery on tiny jobs; every sum checked, figures positive", { timeout: 90_000 }, async () => {
    const { rows, table, notes } = await runE2eBench({
      sizes: [200], postgresSizes: pgSizes, rounds: 1, workers: 2, scalingWorkers: [1, 2], scalingN: 200,
      probe: { calls: 20, perCall: 2, gapMs: 2, warmupTasks: 100 },
      speed: "1000/s", speedWindowMs: 1000, speedWarmupMs: 200,
      recoveryN: 10_000, recoveryKillAt: 0.2, liveness: FAST_LIVENESS,
    });
    const pgRows = "skip" in pg ? 0 : 2;
    expect(rows.slice(0, 2 + pgRows).map((r) => `${r.kind}/${r.mode}/${r.workers}/${r.store}`)).toEqual([
      "throughput/push/2/sqlite", "throughput/pull/2/sqlite",
      ...("skip" in pg ? [] : ["throughput/push/2/postgres", "throughput/pull/2/postgres"]),
    ]);
    const pgSeen = rows.splice(2, pgRows); // the rest as before: scaling, latency, dispatchSpeed, recovery on SQLite
    expect(rows.every((r) => r.store === "sqlite")).toBe(true);
    expect(rows.map((r) => `${r.kind}/${r.mode}/${r.workers}`)).toEqual([
      "throughput/push/2", "throughput/pull/2", "scaling/push/1", "scaling/push/2", "latency/push/2", "dispatchSpeed/push/2", "recovery/push/2",
    ]);
    for (const r of [...rows, ...pgSeen] as E2eRow[]) {
      expect(r.settings.execOnMaster).toBe(false);
      expect(positive(r.masterPeakRssMB)).toBe(true);
      expect(r.workerPeakRssMB).toHaveLength(r.workers);
      for (const w of r.workerPeakRssMB) expect(positive(w)).toBe(true);
      expect(positive(r.benchPeakRssMB)).toBe(true);
      expect(r.loadAvg1m.length).toBeGreaterThan(0);
      if (r.kind === "throughput" || r.kind === "scaling") {
        expect(r).toMatchObject({ n: 200, tasks: 202, sum: 200, sumChecked: true, rounds: 1, tasksCounted: "n sub-tasks + ROOT + REDUCE", storeThread: false });
        expect(r.settings.dispatchMode).toBe(r.mode);
        expect(positive(r.seconds) && positive(r.tasksPerSec) && positive(r.observedSeconds)).toBe(true);
        expect(Math.abs(r.tasksPerSec - 202 / r.seconds) / (202 / r.seconds)).toBeLessThan(0.01); // seconds is rounded
        expect(r.roundSeconds).toHaveLength(1);
        expect(r.subTasksOnMaster).toEqual([0]); // the master's own worker ran ROOT and REDUCE only
        expect(positive(r.windowSeconds) && positive(r.windowTasksPerSec) && positive(r.mapSeconds)).toBe(true);
        expect(r.windowSeconds!).toBeLessThanOrEqual(r.seconds);
        expect(r.reduceSeconds !== null && r.reduceSeconds >= 0).toBe(true);
        expect(r.masterCpuSeconds !== null && r.masterCpuSeconds >= 0 && r.workerCpuSeconds !== null && r.workerCpuSeconds >= 0).toBe(true);
        expect(r.masterCpuUsPerTask).toBeCloseTo((r.masterCpuSeconds! * 1e6) / 202, -1);
        expect(r.workerCpuUsPerTask).toBeCloseTo((r.workerCpuSeconds! * 1e6) / 202, -1);
        // Every task is inserted and ends in a final status at least: two writes of each of the 202 rows, and a dispatch record per batch.
        expect(r.rowsWritten).toBeGreaterThanOrEqual(2 * 202);
        expect(r.rowWritesPerTask).toBeCloseTo(r.rowsWritten / 202, 2);
      }
    }
    // The 2-worker point of the scaling curve is the throughput run itself, measured once.
    const push = rows[0] as E2eThroughputRow, shared = rows[3] as E2eThroughputRow;
    expect(shared.roundSeconds).toEqual(push.roundSeconds);

    const lat = rows[4]!;
    if (lat.kind !== "latency") throw new Error("row 4 is not the latency row");
    expect(lat).toMatchObject({ calls: 20, perCall: 2, samples: 20, targets: { p50Ms: 5 } });
    expect(lat.sampleMs).toHaveLength(20);
    expect(positive(lat.p50Ms)).toBe(true);
    expect(lat.minMs <= lat.p50Ms && lat.p50Ms <= lat.p99Ms && lat.p99Ms <= lat.maxMs).toBe(true);

    const speed = rows[5]!;
    if (speed.kind !== "dispatchSpeed") throw new Error("row 5 is not the dispatchSpeed row");
    expect(speed).toMatchObject({ speed: "1000/s", configuredPerSec: 1000, sumChecked: true, targets: { errorPct: 2 } });
    expect(speed.settings.dispatchSpeed).toBe("1000/s");
    expect(positive(speed.achievedPerSec) && positive(speed.dispatchedInWindow) && speed.windowSeconds >= 1).toBe(true);
    expect(speed.errorPct).toBeCloseTo(((speed.achievedPerSec - 1000) / 1000) * 100, 1);

    const rec = rows[6]!;
    if (rec.kind !== "recovery") throw new Error("row 6 is not the recovery row");
    expect(rec).toMatchObject({ n: 10_000, killedWorker: "w1", liveness: FAST_LIVENESS, sumChecked: true });
    expect(rec.settings).toMatchObject({ heartbeatMs: 200, livenessTimeoutMs: 1500 });
    expect(rec.successAtKill).toBeGreaterThanOrEqual(2000);
    expect(rec.heldAtKill).toBeGreaterThanOrEqual(0);
    expect(rec.failoverSeconds >= 0 && rec.doneSeconds >= rec.failoverSeconds && rec.totalSeconds >= rec.doneSeconds).toBe(true);

    expect(formatTable(table).split("\n")).toHaveLength(rows.length + pgSeen.length + 2);
    if (pgSeen.length > 0) expect(formatTable(table)).toContain("throughput (PostgreSQL)");
    expect(notes?.some((n) => n.startsWith("row writes/task = the master's taskmill_store_rows_written_total"))).toBe(true);
    expect(notes?.some((n) => n.includes("the sum (= n) was checked in every round"))).toBe(true);

    // The peers suite takes its ratio from these rows: the first push row with the same n.
    const file = join(dir, "e2e.json");
    writeFileSync(file, JSON.stringify(rows));
    expect(e2eRate(file, 200).rate).toBe(push.tasksPerSec);
  });

  it("--store-thread: the throughput rows run with the master's SQLite on its own thread and say so; sums checked", { timeout: 60_000 }, async () => {
    const { rows } = await runE2eBench({ sizes: [200], postgresSizes: [], rounds: 1, workers: 2, parts: ["throughput"], storeThread: true });
    expect(rows.map((r) => `${r.kind}/${r.mode}/${r.store}`)).toEqual(["throughput/push/sqlite", "throughput/pull/sqlite"]);
    for (const r of rows as E2eThroughputRow[]) {
      expect(r).toMatchObject({ n: 200, sum: 200, sumChecked: true, storeThread: true, subTasksOnMaster: [0] });
      expect(r.rowsWritten).toBeGreaterThanOrEqual(2 * 202);
    }
  });

  it("is listed under its name, knows its parts and checks its options", async () => {
    expect(e2eSuite.name).toBe("e2e");
    expect([...E2E_PARTS]).toEqual(["throughput", "scaling", "latency", "dispatchSpeed", "recovery"]);
    expect(builtFiles().processors).toMatch(/dist[/\\]bench[/\\]e2e[/\\]processors\.js$/);
    await expect(runE2eBench({ sizes: [0] })).rejects.toThrow("sizes: Expected an integer >= 1, got 0");
    await expect(runE2eBench({ parts: ["speed"] })).rejects.toThrow('parts: Expected "throughput" or "scaling" or "latency" or "dispatchSpeed" or "recovery", got "speed"');
    await expect(runE2eBench({ rounds: 0 })).rejects.toThrow("rounds: Expected an integer >= 1, got 0");
    // PostgreSQL rows: at 100k by default; 1M only when asked for (slow), none when the sizes skip 100k.
    expect(resolveE2eOptions().postgresSizes).toEqual([100_000]);
    expect(resolveE2eOptions({ sizes: [10_000] }).postgresSizes).toEqual([]);
    expect(resolveE2eOptions({ postgresSizes: [100_000, 1_000_000] }).postgresSizes).toEqual([100_000, 1_000_000]);
    await expect(runE2eBench({ postgresSizes: [0] })).rejects.toThrow("postgresSizes: Expected an integer >= 1, got 0");
    await expect(runE2eBench({ pgUrl: "mysql://x" })).rejects.toThrow('pgUrl: Expected a postgres:// URL, got "mysql://x"');
    await expect(runE2eBench({ workers: 1 })).rejects.toThrow("workers: Expected an integer >= 2 when recovery runs");
    await expect(runE2eBench({ speed: "fast" })).rejects.toThrow("speed: Expected a positive rate");
    await expect(runE2eBench({ storeThread: "yes" as never })).rejects.toThrow('storeThread: Expected a boolean, got "yes"');
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBe(10);
  });

  it("checks the free disk before a run whose SQLite file would not fit (a 10M run needs GBs)", async () => {
    expect(() => checkDiskRoom([1000], dir)).not.toThrow();
    expect(() => checkDiskRoom([Number.MAX_SAFE_INTEGER], dir)).toThrow(/^sizes: Expected .* GB free in .* for a .*-task run, got .* GB$/);
    await expect(runE2eBench({ sizes: [Number.MAX_SAFE_INTEGER], parts: ["throughput"] })).rejects.toThrow("sizes: Expected");
  });

  it("writes a CPU profile of the master and of each worker of every throughput run when asked (--cpu-prof=DIR)", { timeout: 60_000 }, async () => {
    const profs = join(dir, "profiles");
    await runE2eBench({ sizes: [200], postgresSizes: [], modes: ["push"], rounds: 1, workers: 2, parts: ["throughput"], cpuProfDir: profs });
    for (const p of ["master", "w1", "w2"]) {
      const files = readdirSync(join(profs, "sqlite-push-200-r1", p));
      expect(files.filter((f) => f.endsWith(".cpuprofile"))).toHaveLength(1);
    }
    expect(() => resolveE2eOptions({ cpuProfDir: "" })).toThrow('cpuProfDir: Expected a folder, got ""');
  });
});
