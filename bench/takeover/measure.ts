// One takeover run (B36): two shared masters on a fresh PostgreSQL schema and worker
// processes joined to both, over HTTP; at `killAt` × n tasks done the owner is SIGKILLed and
// the other master takes the instance over once its lease runs out; the workers hand it what
// they held. The workers' run logs say how many tasks ran twice. Readings every EVERY_MS,
// timed on the bench's clock; a reading that fails is skipped.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCliProcess, stopCliProcess } from "../lib/cli-process.ts";
import { builtFiles } from "../e2e/cluster.ts";
import { submit } from "../e2e/api.ts";
import { readUntil, rerunOutcome } from "../lib/rerun-watch.ts";
import { dropPostgresSchema } from "../../adapters/node/postgres/index.ts";


/** The lease timing of both masters (`--lease-ms`, `--renew-ms`, `--takeover-ms`). */
export interface LeaseTiming {
  leaseMs: number;
  renewMs: number;
  takeoverMs: number;
}

/** What one takeover run measured. */
export interface TakeoverMeasure {
  successAtKill: number;
  /** Kill → the first reading from the other master that names it the owner, seconds. */
  takeoverSeconds: number;
  /** Kill → the first reading, after the takeover, with more T tasks succeeded than at it, seconds. */
  resumeSeconds: number;
  /** Kill → the instance final, seconds. */
  doneSeconds: number;
  /** Tasks that ran more than once (from the workers' run logs). */
  ranTwice: number;
  /** Runs of T tasks in all. */
  runs: number;
  /** The final T counters: total = n = success, nothing else left. */
  countersExact: boolean;
}

const bare = (u: string) => u.replace(/\/+$/, "");

/**
 * Runs the job of `n` tasks of `ms` on `workers` worker processes joined to two shared
 * masters on PostgreSQL at `pgUrl`; SIGKILLs the owner at `killAt` × n done.
 */
export async function measureTakeover(
  pgUrl: string, n: number, ms: number, killAt: number, workers: number, lease: LeaseTiming,
  settings: Record<string, number | string | boolean>, log: (line: string) => void,
): Promise<TakeoverMeasure> {
  const { cli, processors } = builtFiles();
  const dir = mkdtempSync(join(tmpdir(), "taskmill-takeover-"));
  const runLog = join(dir, "runs");
  const schema = `taskmill_takeover_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const store = `${pgUrl}${pgUrl.includes("?") ? "&" : "?"}schema=${schema}`;
  const started: ChildProcess[] = [];
  const master = (name: string) => startCliProcess("takeover", cli, name, [
    "master", "--port", "0", "--store", store, "--processors", processors, "--shared",
    "--lease-ms", String(lease.leaseMs), "--renew-ms", String(lease.renewMs), "--takeover-ms", String(lease.takeoverMs),
  ], "master-ready", started);
  try {
    // One after the other: the first migrates the schema.
    const a = await master("master-a");
    const b = await master("master-b");
    const urlA = a.ready.url as string, urlB = b.ready.url as string;
    await Promise.all(Array.from({ length: workers }, (_, i) => startCliProcess("takeover", cli, `w${i + 1}`,
      ["worker", "--master", urlA, "--master", urlB, "--processors", processors, "--slots", "8", "--id", `w${i + 1}`], "worker-ready", started)));
    log(`takeover:   cluster up: masters ${urlA} and ${urlB} on PostgreSQL schema ${schema}, ${workers} workers`);
    const id = await submit(urlA, "restartSum", { n, ms, runLog }, settings);
    const before = await readUntil("takeover", urlA, id, (v) => (v.progress?.names.T?.success ?? 0) >= killAt * n, `${Math.round(killAt * 100)} % done`, 120_000 + n * 10);
    const successAtKill = before.v.progress!.names.T!.success;
    a.proc.kill("SIGKILL");
    const killedAt = performance.now();
    await new Promise((r) => a.proc.once("exit", r));
    const taken = await readUntil("takeover", urlB, id, (v) => (v.owner !== undefined && bare(v.owner) === bare(urlB)) || v.status !== "RUNNING", "takeover", 60_000 + lease.leaseMs);
    const atTakeover = taken.v.progress?.names.T?.success ?? 0;
    const resumed = await readUntil("takeover", urlB, id, (v) => (v.progress?.names.T?.success ?? 0) > atTakeover || v.status !== "RUNNING", "progress after the takeover", 60_000);
    const done = await readUntil("takeover", urlB, id, (v) => v.status !== "RUNNING", "end", 120_000 + n * 10);
    const { ranTwice, runs, countersExact } = rerunOutcome("takeover", done.v, n, dir);
    return {
      successAtKill, takeoverSeconds: (taken.at - killedAt) / 1000, resumeSeconds: (resumed.at - killedAt) / 1000,
      doneSeconds: (done.at - killedAt) / 1000, ranTwice, runs, countersExact,
    };
  } finally {
    await Promise.all(started.map((p) => stopCliProcess(p)));
    rmSync(dir, { recursive: true, force: true });
    await dropPostgresSchema(pgUrl, schema).catch(() => undefined);
  }
}
