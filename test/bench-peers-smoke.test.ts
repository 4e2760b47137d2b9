// The peers benchmark runs each peer end to end on a parent with 200 children
// and returns a row of the documented shape whose sum is right. It never
// asserts on speed: that is what bench/RESULTS.md is for. A peer whose service
// (Redis, PostgreSQL) cannot be started is skipped loudly, or fails under CI=true.
// The suite forks the compiled bench (dist/), which npm test builds first.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { e2eRate, peersSuite, runPeersBench, type PeersRow } from "../bench/peers.ts";
import { PEERS } from "../bench/peers/index.ts";
import { formatTable } from "../bench/lib/table.ts";
import { ensurePostgres, ensureRedis } from "./services.ts";

const services = { redis: await ensureRedis(), postgres: await ensurePostgres() };
for (const s of Object.values(services)) if ("skip" in s) console.warn(`\n*** ${s.skip} ***\n`);

const dir = mkdtempSync(join(tmpdir(), "taskmill-peers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bench: peers suite smoke", () => {
  for (const peer of PEERS) {
    it.skipIf("skip" in services[peer.service])(`${peer.name}: a parent with 200 children sums to 200; the row is {peer, n, seconds, sum, tasksPerSec, peakRssMB, ...}`, async () => {
      const { rows, table, notes } = await runPeersBench({ ns: [200], rounds: 1, peers: [peer], e2eFile: join(dir, "missing-e2e.json") });
      expect(rows).toHaveLength(1);
      const r = rows[0] as PeersRow;
      expect(r).toMatchObject({ peer: peer.name, n: 200, sum: 200, ratio: null, workers: peer.workers });
      expect(Number.isFinite(r.seconds) && r.seconds > 0).toBe(true);
      expect(Math.abs(r.tasksPerSec - 200 / r.seconds) / (200 / r.seconds)).toBeLessThan(0.01); // seconds is rounded
      expect(r.roundSeconds).toHaveLength(1);
      expect(r.loadAvg1m).toHaveLength(1);
      expect(Number.isFinite(r.peakRssMB) && r.peakRssMB > 0).toBe(true);
      expect(r.workerPeakRssMB === null || r.workerPeakRssMB > 0).toBe(true);
      expect(r.addSeconds >= 0 && r.addSeconds <= r.seconds).toBe(true);
      expect(r.cpuSeconds > 0).toBe(true);
      expect(r.workerCpuSeconds === null || r.workerCpuSeconds > 0).toBe(true);
      expect(r.workerCpuSeconds === null).toBe(r.workerPeakRssMB === null);
      expect(r.server).toMatch(peer.service === "redis" ? /^Redis \d/ : /^PostgreSQL \d/);
      expect(r.ratioSource).toContain("missing-e2e.json");
      expect(r.postgresRatio).toBeNull();
      expect(r.postgresRatioSource).toMatch(peer.service === "postgres" ? /missing-e2e\.json/ : /is not on PostgreSQL/);
      expect(formatTable(table).split("\n")).toHaveLength(3);
      expect(notes?.some((line) => line.startsWith("ratio taskmill/peer left null"))).toBe(true);
    });
  }

  it("takes the ratio's numerator from the e2e row with mode push, the same n and the store asked for (SQLite unless told)", () => {
    const file = join(dir, "e2e.json");
    writeFileSync(file, JSON.stringify([
      { mode: "pull", n: 10_000, tasksPerSec: 1 },
      { mode: "push", n: 10_000, store: "postgres", tasksPerSec: 60_000 },
      { mode: "push", n: 10_000, store: "sqlite", tasksPerSec: 250_000, machine: { date: "2026-11-25T00:00:00.000Z" } },
    ]));
    expect(e2eRate(file, 10_000)).toEqual({ rate: 250_000, source: "e2e mode=push n=10000 store=sqlite (2026-11-25T00:00:00.000Z)" });
    expect(e2eRate(file, 10_000, "postgres")).toEqual({ rate: 60_000, source: "e2e mode=push n=10000 store=postgres" });
    expect(e2eRate(file, 100_000).rate).toBeNull();
    expect(e2eRate(join(dir, "none.json"), 10_000).rate).toBeNull();
  });

  it("is listed under its name and checks its options", async () => {
    expect(peersSuite.name).toBe("peers");
    await expect(runPeersBench({ ns: [0] })).rejects.toThrow("ns: Expected an integer >= 1, got 0");
    await expect(runPeersBench({ rounds: 0 })).rejects.toThrow("rounds: Expected an integer >= 1, got 0");
  });
});
