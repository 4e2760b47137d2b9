// A real cluster of shared masters for the scale suite: M master processes
// `--shared` on one fresh PostgreSQL schema and W worker processes that each
// serve every master, all `node dist/adapters/node/cli.js` over HTTP, with
// the e2e suite's processor module. `stop()` ends every process (SIGTERM,
// then SIGKILL) and drops the schema.
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dropPostgresSchema } from "../../adapters/node/postgres/index.ts";
import { builtFiles } from "../e2e/cluster.ts";
import { startCliProcess, stopCliProcess } from "../lib/cli-process.ts";
import { cpuSeconds } from "../e2e/proc-stats.ts";

/** A running cluster of shared masters. */
export interface SharedCluster {
  /** The masters' URLs, in start order. */
  readonly masters: readonly string[];
  /** CPU seconds used so far: the masters together, the workers together. */
  cpu(): { masters: number; workers: number };
  /** CPU seconds the local PostgreSQL server's processes used since the cluster started; null when none runs here. */
  storeCpu(): number | null;
  /** Stops every process and drops the schema. */
  stop(): Promise<void>;
}

/** How to start one. */
export interface SharedClusterOptions {
  masters: number;
  workers: number;
  /** PostgreSQL URL (its database holds the fresh schema). */
  pgUrl: string;
}

/**
 * CPU seconds of every process named `postgres` on this machine (the server
 * and its backends, a backend per connection), or null when there is none
 * (a remote server). Backends that exit in between take their time with
 * them, so a difference over a run can only undercount.
 */
export function postgresCpuSeconds(): number | null {
  let total = 0, found = false;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "postgres") continue;
    } catch {
      continue;
    }
    const s = cpuSeconds(Number(pid));
    if (s === null) continue;
    total += s;
    found = true;
  }
  return found ? total : null;
}

/** Starts the masters (the first one migrates the schema, the others after it) and the workers. */
export async function startSharedCluster(o: SharedClusterOptions): Promise<SharedCluster> {
  const { processors } = builtFiles();
  const schema = `taskmill_scale_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const u = new URL(o.pgUrl);
  u.searchParams.set("schema", schema);
  const store = u.href;
  const started: ChildProcess[] = [];
  const pgAtStart = postgresCpuSeconds();
  const masterProcs: ChildProcess[] = [];
  const workerProcs: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(started.map((p) => stopCliProcess(p)));
    await dropPostgresSchema(o.pgUrl, schema);
  };
  try {
    const master = (i: number) => startCliProcess("scale", builtFiles().cli, `master${i}`, ["master", "--port", "0", "--store", store, "--processors", processors, "--shared"], "master-ready", started);
    const first = await master(1);
    const rest = await Promise.all(Array.from({ length: o.masters - 1 }, (_, i) => master(i + 2)));
    const masters = [first, ...rest];
    masterProcs.push(...masters.map((m) => m.proc));
    const urls = masters.map((m) => m.ready.url as string);
    const joins = urls.flatMap((url) => ["--master", url]);
    const workers = await Promise.all(Array.from({ length: o.workers }, (_, i) =>
      startCliProcess("scale", builtFiles().cli, `w${i + 1}`, ["worker", ...joins, "--processors", processors, "--id", `w${i + 1}`, "--slots", "64"], "worker-ready", started)));
    workerProcs.push(...workers.map((w) => w.proc));
    const sum = (ps: ChildProcess[]) => ps.reduce((a, p) => a + (cpuSeconds(p.pid!) ?? 0), 0);
    const storeCpu = () => {
      const now = postgresCpuSeconds();
      return now === null || pgAtStart === null ? null : now - pgAtStart;
    };
    return { masters: urls, cpu: () => ({ masters: sum(masterProcs), workers: sum(workerProcs) }), storeCpu, stop };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}
