// A real taskmill cluster for one e2e measurement: a master process on a
// fresh SQLite file (or a fresh schema of a PostgreSQL database) and W worker
// processes, all `node dist/adapters/node/cli.js`, talking HTTP. Every process
// is stopped, the temp folder removed and the schema dropped by `stop()`,
// which first reads each process's peak RSS (VmHWM).
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropPostgresSchema } from "../../adapters/node/postgres/drop-postgres-schema.ts";
import { repoRoot } from "../lib/results.ts";
import { startCliProcess, stopCliProcess, type CliProcess } from "../lib/cli-process.ts";
import { MARKS_ENV } from "./marks.ts";
import { cpuSeconds, peakRssMB } from "./proc-stats.ts";

/** The compiled CLI and processor module; the cluster runs them, so the bench must be built. */
export function builtFiles(): { cli: string; processors: string } {
  const root = repoRoot();
  const cli = join(root, "dist", "adapters", "node", "cli.js");
  const processors = join(root, "dist", "bench", "e2e", "processors.js");
  for (const f of [cli, processors]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first (npm run bench and npm test do)`);
  }
  return { cli, processors };
}

/** One child process of the cluster. */
export type ClusterProcess = CliProcess;

/** Peak RSS of each process of a cluster, read just before it was stopped, in MB. */
export interface ClusterRss {
  masterMB: number | null;
  /** In worker order (w1, w2, …). */
  workersMB: (number | null)[];
}

/** CPU seconds each process of a cluster has used so far. */
export interface ClusterCpu {
  master: number | null;
  /** In worker order (w1, w2, …). */
  workers: (number | null)[];
}

/** A running cluster. */
export interface Cluster {
  /** The master's base URL. */
  readonly url: string;
  readonly master: ClusterProcess;
  readonly workers: readonly ClusterProcess[];
  /** The file the processors append timing marks to (see marks.ts). */
  readonly marksFile: string;
  /** CPU seconds used so far by each process. */
  cpu(): ClusterCpu;
  /** The master's `taskmill_store_rows_written_total` now (its /metrics). */
  rowsWritten(): Promise<number>;
  /** Reads every process's peak RSS, stops them all (SIGTERM, then SIGKILL), removes the temp folder. */
  stop(): Promise<ClusterRss>;
}

/** How to start a cluster. */
export interface ClusterOptions {
  /** Worker processes. */
  workers: number;
  /** `--slots` of each worker: a pool runs at most min(the job's consumerSize, slots) tasks at once, so give at least the consumerSize. */
  slots: number;
  /** `--heartbeat-ms` of each worker. @default the CLI's, 1000 */
  heartbeatMs?: number;
  /** Progress lines go here. */
  log: (line: string) => void;
  /**
   * The master's store: a fresh SQLite file, or a fresh schema (dropped by
   * `stop()`) in the PostgreSQL database at this URL. @default "sqlite"
   */
  store?: "sqlite" | { postgres: string };
  /**
   * Write a V8 CPU profile of every process (`node --cpu-prof`) into
   * `DIR/master`, `DIR/w1`, …, when it stops. @default none
   */
  cpuProfDir?: string;
  /** SQLite on a thread of its own (the master's `--store-thread`); ignored on PostgreSQL. @default false */
  storeThread?: boolean;
}

/** A schema name no other run uses. */
function freshSchema(): string {
  return `taskmill_e2e_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Reads `taskmill_store_rows_written_total` from the master's /metrics; throws when it is missing. */
export async function readRowsWritten(url: string): Promise<number> {
  const res = await fetch(`${url}/metrics`);
  const text = await res.text();
  const m = /^taskmill_store_rows_written_total (\d+)$/m.exec(text);
  if (res.status !== 200 || !m) throw new Error(`e2e: no taskmill_store_rows_written_total in ${url}/metrics (status ${res.status})`);
  return Number(m[1]);
}

/** Starts a master on a fresh store (a SQLite file in a temp folder, or a PostgreSQL schema) and `workers` worker processes (ids w1, w2, …). */
export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const { processors } = builtFiles();
  const dir = mkdtempSync(join(tmpdir(), "taskmill-e2e-"));
  const marksFile = join(dir, "marks.jsonl");
  const env = { ...process.env, [MARKS_ENV]: marksFile };
  const pg = typeof o.store === "object" ? { url: o.store.postgres, schema: freshSchema() } : null;
  let storeUrl = `sqlite:${join(dir, "taskmill.db")}`;
  if (pg) {
    const u = new URL(pg.url);
    u.searchParams.set("schema", pg.schema);
    storeUrl = u.toString();
  }
  const started: ChildProcess[] = [];
  let stopped: Promise<ClusterRss> | null = null;
  const stop = (master: ClusterProcess | null, workers: ClusterProcess[]) => stopped ??= (async () => {
    // Read the peaks first: a stopped process has no /proc entry left.
    const rss: ClusterRss = {
      masterMB: master && master.proc.exitCode === null && master.proc.signalCode === null ? peakRssMB(master.proc.pid!) : null,
      workersMB: workers.map((w) => (w.proc.exitCode === null && w.proc.signalCode === null ? peakRssMB(w.proc.pid!) : null)),
    };
    await Promise.all(started.map((p) => stopCliProcess(p)));
    rmSync(dir, { recursive: true, force: true });
    if (pg) await dropPostgresSchema(pg.url, pg.schema);
    return rss;
  })();
  try {
    const prof = (name: string) => (o.cpuProfDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${join(o.cpuProfDir, name)}`]);
    const master = await startCliProcess("e2e", builtFiles().cli, "master", ["master", "--port", "0", "--store", storeUrl, "--processors", processors, ...(o.storeThread && !pg ? ["--store-thread"] : [])], "master-ready", started, env, prof("master"));
    const url = master.ready.url as string;
    const workers = await Promise.all(Array.from({ length: o.workers }, (_, i) => startCliProcess("e2e", builtFiles().cli, `w${i + 1}`,
      ["worker", "--master", url, "--processors", processors, "--slots", String(o.slots), "--id", `w${i + 1}`,
        ...(o.heartbeatMs === undefined ? [] : ["--heartbeat-ms", String(o.heartbeatMs)])], "worker-ready", started, env, prof(`w${i + 1}`))));
    o.log(`e2e:   cluster up: master ${url} on ${pg ? `PostgreSQL schema ${pg.schema}` : o.storeThread ? "SQLite on its own thread" : "SQLite"} (pid ${master.proc.pid}), ${workers.length} worker${workers.length === 1 ? "" : "s"} (pids ${workers.map((w) => w.proc.pid).join(", ")})`);
    const cpu = (): ClusterCpu => ({ master: cpuSeconds(master.proc.pid!), workers: workers.map((w) => cpuSeconds(w.proc.pid!)) });
    return { url, master, workers, marksFile, cpu, rowsWritten: () => readRowsWritten(url), stop: () => stop(master, workers) };
  } catch (e) {
    await stop(null, []);
    throw e;
  }
}
