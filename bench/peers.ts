// The peers suite: taskmill's end-to-end MapReduce shape — one parent with n
// no-op children, each child returns 1, the parent sums them and the sum is
// checked (= n) — run on other job systems on this machine, in the same run:
// BullMQ flows on the local Redis and pg-boss on the local PostgreSQL
// (bench/peers/, one file per peer). Each measurement runs in a fresh process
// (bench/peers/child.ts), so peak RSS and warm state never carry over; rounds
// interleave peers and sizes, so drift hits every row alike. A missing
// service is started (test/services.ts); if it stays down, its peer is
// skipped with a note. When bench/results/e2e.json exists, each row gets
// `ratio` = taskmill tasks/s (mode push, same n, SQLite) ÷ the peer's tasks/s,
// and each row of a peer on PostgreSQL (pg-boss) `postgresRatio`: taskmill
// with its master on the same PostgreSQL server ÷ the peer, like for like.
import { fork } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, relative } from "node:path";
import { ensurePostgres, ensureRedis, type Service } from "../test/services.ts";
import { PEERS, type Peer } from "./peers/index.ts";
import type { PeerMeasure, PeerService } from "./peers/peer.ts";
import { median } from "./lib/measure.ts";
import { repoRoot } from "./lib/results.ts";
import type { BenchOptions, Suite, SuiteResult } from "./lib/suite.ts";
import { perSecond } from "./lib/table.ts";

/** One result row of `bench/results/peers.json`. */
export interface PeersRow {
  peer: string;
  /** Children under the one parent. */
  n: number;
  /** Median over the rounds of add → parent done, in seconds. */
  seconds: number;
  /** What the parent summed (checked = n in every round). */
  sum: number;
  /** n / seconds: children per second. */
  tasksPerSec: number;
  /** Median peak RSS of the producer process, in MB (for pg-boss: producer and workers, one process). */
  peakRssMB: number;
  /** Median peak RSS of the separate worker process, in MB; null when the workers run in the producer. */
  workerPeakRssMB: number | null;
  /** Median CPU seconds of the producer process over the timed window (for pg-boss: producer and workers). */
  cpuSeconds: number;
  /** Median CPU seconds of the separate worker process; null when the workers run in the producer. */
  workerCpuSeconds: number | null;
  /** Median seconds until the fan-out call returned. */
  addSeconds: number;
  /** taskmill tasks/s ÷ this peer's tasks/s, from bench/results/e2e.json (mode push, same n); null without it. */
  ratio: number | null;
  /** Which e2e row the ratio uses, or why there is none. */
  ratioSource: string;
  /**
   * For a peer on PostgreSQL: taskmill tasks/s with its master on the same
   * PostgreSQL server (e2e row store "postgres", mode push, same n) ÷ this
   * peer's tasks/s; null for other peers or without such a row.
   */
  postgresRatio: number | null;
  /** Which e2e row postgresRatio uses, or why there is none. */
  postgresRatioSource: string;
  /** Seconds of each round, in order. */
  roundSeconds: number[];
  /** The 1-minute load average at the end of each round. */
  loadAvg1m: number[];
  /** How the peer's workers run. */
  workers: string;
  /** The server it ran on, e.g. "Redis 7.0.15". */
  server: string;
}

/** Options of the peers suite. */
export interface PeersBenchOptions {
  /** Children per parent, one row each. @default [10_000, 100_000] */
  ns: readonly number[];
  /** Measured rounds per peer and n, each in a fresh process; the median is reported. @default 3 */
  rounds: number;
  /** Peers to measure. @default PEERS */
  peers: readonly Peer[];
  /** Where to look for taskmill's e2e results. @default bench/results/e2e.json */
  e2eFile: string;
  /** Progress lines go here. @default no output */
  log: (line: string) => void;
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name}: Expected an integer >= ${min}, got ${String(value)}`);
  return value;
}

/** Fills defaults and checks the options ("Expected X, got Y"). */
export function resolvePeersOptions(o: Partial<PeersBenchOptions & BenchOptions> = {}): PeersBenchOptions {
  const ns = o.ns ?? [10_000, 100_000];
  if (ns.length === 0) throw new RangeError("ns: Expected at least one size, got none");
  for (const n of ns) checkCount("ns", n, 1);
  return {
    ns,
    rounds: checkCount("rounds", o.rounds ?? 3, 1),
    peers: o.peers ?? PEERS,
    e2eFile: o.e2eFile ?? join(repoRoot(), "bench", "results", "e2e.json"),
    log: o.log ?? (() => {}),
  };
}

/** The compiled measurement process; the suite forks it, so the bench must be built even when run from sources. */
function childScript(): string {
  const file = join(repoRoot(), "dist", "bench", "peers", "child.js");
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm run bench and npm test do)`);
  return file;
}

/** Runs one measurement in a fresh process; cleans up after it if it fails. */
function measure(peer: Peer, n: number, url: string): Promise<PeerMeasure> {
  const tag = `taskmill_peers_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const timeoutMs = 60_000 + n * 3;
  const child = fork(childScript(), [peer.name, String(n), url, tag], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const result = new Promise<PeerMeasure>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`${peer.name} n=${n}: no result within ${timeoutMs / 1000} s`)); }, timeoutMs);
    child.on("message", (m: { ok: true; measure: PeerMeasure } | { ok: false; error: string }) => {
      clearTimeout(timer);
      if (m.ok) resolve(m.measure);
      else reject(new Error(`${peer.name} n=${n}: ${m.error}`));
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${peer.name} n=${n}: the measurement process exited (${signal ?? `code ${code}`}) without a result`));
    });
  });
  return result.catch(async (e: unknown) => {
    await peer.cleanup(url, tag).catch(() => undefined);
    throw e;
  });
}

/** taskmill's tasks/s for mode push and `n` children, from the e2e results, or why there is none. */
export function e2eRate(path: string, n: number, store: "sqlite" | "postgres" = "sqlite"): { rate: number; source: string } | { rate: null; source: string } {
  /** The path as people read it: relative to the repository when inside it. */
  const file = relative(repoRoot(), path).startsWith("..") ? path : relative(repoRoot(), path);
  if (!existsSync(path)) return { rate: null, source: `no ${file} (the e2e suite writes it)` };
  let rows: unknown;
  try {
    rows = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    return { rate: null, source: `${file} does not parse: ${e instanceof Error ? e.message : String(e)}` };
  }
  const matches = (Array.isArray(rows) ? rows : []).filter((r): r is Record<string, unknown> => {
    if (r === null || typeof r !== "object") return false;
    const o = r as Record<string, unknown>;
    // Rows written before PostgreSQL rows existed have no store: SQLite.
    return o.mode === "push" && (o.n ?? o.tasks ?? o.children) === n && typeof o.tasksPerSec === "number" && o.tasksPerSec > 0 &&
      (o.store ?? "sqlite") === store;
  });
  const row = matches[0];
  if (!row) return { rate: null, source: `${file} has no row with mode "push", store "${store}", n = ${n} and tasksPerSec` };
  const label = Object.entries(row).filter(([k, v]) => k !== "machine" && (typeof v === "string" || k === "n")).map(([k, v]) => `${k}=${String(v)}`).join(" ");
  const date = (row.machine as { date?: string } | undefined)?.date;
  return {
    rate: row.tasksPerSec as number,
    source: `e2e ${label}${date ? ` (${date})` : ""}${matches.length > 1 ? `; first of ${matches.length} matching rows` : ""}`,
  };
}

/** The services the peers need, started if down; a skip reason instead of a URL when one stays down. */
async function services(peers: readonly Peer[]): Promise<Map<PeerService, Service>> {
  const out = new Map<PeerService, Service>();
  const asSkip = (e: unknown): Service => ({ skip: e instanceof Error ? e.message : String(e) });
  for (const service of new Set(peers.map((p) => p.service))) {
    out.set(service, await (service === "redis" ? ensureRedis() : ensurePostgres()).catch(asSkip));
  }
  return out;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Runs the peers suite; `options` shrinks it (the smoke test runs n = 200, one round). */
export async function runPeersBench(options: Partial<PeersBenchOptions & BenchOptions> = {}): Promise<SuiteResult<PeersRow>> {
  const o = resolvePeersOptions(options);
  const notes: string[] = [];
  const urls = await services(o.peers);
  const peers = o.peers.filter((p) => {
    const s = urls.get(p.service)!;
    if ("skip" in s) {
      const line = `${p.name} SKIPPED: ${s.skip.replace(/^\w+ tests SKIPPED: /, "")}`;
      o.log(`peers: ${line}`);
      notes.push(line);
      return false;
    }
    return true;
  });
  const loadStart = loadavg();
  const measures = new Map<string, PeerMeasure[]>();
  const loads = new Map<string, number[]>();
  const key = (p: Peer, n: number) => `${p.name}\u0000${n}`;
  for (let r = 0; r < o.rounds; r++) {
    // Alternate which peer goes first, so neither always runs on the other's leftovers.
    const order = r % 2 === 0 ? peers : [...peers].reverse();
    for (const n of o.ns) {
      for (const peer of order) {
        const m = await measure(peer, n, (urls.get(peer.service) as { url: string }).url);
        const load = loadavg()[0]!;
        (measures.get(key(peer, n)) ?? measures.set(key(peer, n), []).get(key(peer, n))!).push(m);
        (loads.get(key(peer, n)) ?? loads.set(key(peer, n), []).get(key(peer, n))!).push(round1(load));
        o.log(`peers: round ${r + 1}/${o.rounds} ${peer.name} n=${n}: ${m.seconds.toFixed(3)} s, ${perSecond(n / m.seconds)}, ` +
          `add ${m.addSeconds.toFixed(3)} s, CPU ${m.cpuSeconds.toFixed(2)}${m.workerCpuSeconds === null ? "" : ` + worker ${m.workerCpuSeconds.toFixed(2)}`} s, RSS ${m.peakRssMB} MB${m.workerPeakRssMB === null ? "" : ` (worker ${m.workerPeakRssMB} MB)`}, load ${load.toFixed(2)}`);
      }
    }
  }
  const loadEnd = loadavg();

  const rows: PeersRow[] = [];
  for (const peer of peers) {
    for (const n of o.ns) {
      const ms = measures.get(key(peer, n))!;
      const seconds = median(ms.map((m) => m.seconds));
      const tasksPerSec = Math.round(n / seconds);
      const e2e = e2eRate(o.e2eFile, n);
      const onPg = peer.service === "postgres";
      const pg = onPg ? e2eRate(o.e2eFile, n, "postgres") : { rate: null, source: `${peer.name} is not on PostgreSQL` };
      const workerRss = ms.map((m) => m.workerPeakRssMB).filter((x): x is number => x !== null);
      const workerCpu = ms.map((m) => m.workerCpuSeconds).filter((x): x is number => x !== null);
      rows.push({
        peer: peer.name, n, seconds: Number(seconds.toFixed(4)), sum: ms[0]!.sum, tasksPerSec,
        peakRssMB: round1(median(ms.map((m) => m.peakRssMB))),
        workerPeakRssMB: workerRss.length === 0 ? null : round1(median(workerRss)),
        cpuSeconds: Number(median(ms.map((m) => m.cpuSeconds)).toFixed(3)),
        workerCpuSeconds: workerCpu.length === 0 ? null : Number(median(workerCpu).toFixed(3)),
        addSeconds: Number(median(ms.map((m) => m.addSeconds)).toFixed(4)),
        ratio: e2e.rate === null ? null : Number((e2e.rate / tasksPerSec).toFixed(2)),
        ratioSource: e2e.source,
        postgresRatio: pg.rate === null ? null : Number((pg.rate / tasksPerSec).toFixed(2)),
        postgresRatioSource: pg.source,
        roundSeconds: ms.map((m) => Number(m.seconds.toFixed(4))),
        loadAvg1m: loads.get(key(peer, n))!,
        workers: peer.workers,
        server: ms[0]!.server,
      });
    }
  }

  const table = [
    ["peer", "n", "seconds", "children/s", "producer RSS", "worker RSS", "add s", "CPU s prod/worker", "taskmill/peer", "taskmill-pg/peer", "rounds (s)"],
    ...rows.map((r) => [
      r.peer, r.n.toLocaleString("en"), r.seconds.toFixed(3), perSecond(r.tasksPerSec), `${r.peakRssMB} MB`,
      r.workerPeakRssMB === null ? "(same)" : `${r.workerPeakRssMB} MB`, r.addSeconds.toFixed(3),
      `${r.cpuSeconds.toFixed(2)} / ${r.workerCpuSeconds === null ? "(same)" : r.workerCpuSeconds.toFixed(2)}`,
      r.ratio === null ? "null" : `${r.ratio.toFixed(2)}x`, r.postgresRatio === null ? "—" : `${r.postgresRatio.toFixed(2)}x`, r.roundSeconds.map((s) => s.toFixed(2)).join(" / "),
    ]),
  ];
  notes.unshift(
    `seconds = add (fan-out) → parent done, median of ${o.rounds} round${o.rounds === 1 ? "" : "s"}, each in a fresh process; the parent's sum was checked (= n) every time; ` +
      "CPU s = user + system CPU of the client processes over that window (the servers' CPU is not counted): steadier than seconds on a loaded machine",
    ...peers.map((p) => `${p.name} (${rows.find((r) => r.peer === p.name)?.server ?? "?"}): ${p.workers}`),
    `load average (1/5/15 min): ${loadStart.map((x) => x.toFixed(2)).join(" ")} at the start, ${loadEnd.map((x) => x.toFixed(2)).join(" ")} at the end`,
  );
  const noRatio = rows.filter((r) => r.ratio === null);
  if (noRatio.length > 0) notes.push(`ratio taskmill/peer left null: ${[...new Set(noRatio.map((r) => r.ratioSource))].join("; ")}`);
  const noPgRatio = rows.filter((r) => r.postgresRatio === null && peers.find((p) => p.name === r.peer)?.service === "postgres");
  notes.push("taskmill-pg/peer = taskmill with its master on the same PostgreSQL server (e2e rows store \"postgres\", push, same n) ÷ the peer: like for like, for the peers on PostgreSQL");
  if (noPgRatio.length > 0) notes.push(`taskmill-pg/peer left null: ${[...new Set(noPgRatio.map((r) => r.postgresRatioSource))].join("; ")}`);
  return { rows, table, notes };
}

/** The peers suite, as `bench/run.ts` lists it. */
export const peersSuite: Suite<PeersRow> = {
  name: "peers",
  summary: "BullMQ flows and pg-boss fan-out/in: a parent with 10k and 100k no-op children summed, on this machine",
  run: (options) => runPeersBench(options),
};
