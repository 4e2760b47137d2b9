// One restart run (B28): a master on a fresh SQLite file and worker processes over HTTP; at
// `killAt` × n tasks done the master is SIGKILLed and started again on the same file and
// port; the workers' run logs say how many tasks ran twice. Readings every EVERY_MS, timed
// on the bench's clock; a reading that fails while the master is down is skipped.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCliProcess, stopCliProcess } from "../lib/cli-process.ts";
import { builtFiles } from "../e2e/cluster.ts";
import { submit } from "../e2e/api.ts";
import { readUntil, rerunOutcome } from "../lib/rerun-watch.ts";


/** What one restart run measured. */
export interface RestartMeasure {
  successAtKill: number;
  /** Kill → the new master printed master-ready (it resumed the instance), seconds. */
  restartSeconds: number;
  /** Kill → the first reading with more T tasks succeeded than at the kill, seconds. */
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

/** Runs the job of `n` tasks of `ms` on `workers` worker processes; kills the master at `killAt` × n done. */
export async function measureRestart(
  n: number, ms: number, killAt: number, workers: number, settings: Record<string, number | string | boolean>, log: (line: string) => void,
): Promise<RestartMeasure> {
  const { cli, processors } = builtFiles();
  const dir = mkdtempSync(join(tmpdir(), "taskmill-restart-"));
  const db = join(dir, "taskmill.db"), runLog = join(dir, "runs");
  const started: ChildProcess[] = [];
  try {
    const master = await startCliProcess("restart", cli, "master", ["master", "--port", "0", "--store", `sqlite:${db}`, "--processors", processors], "master-ready", started);
    const url = master.ready.url as string;
    await Promise.all(Array.from({ length: workers }, (_, i) => startCliProcess("restart", cli, `w${i + 1}`,
      ["worker", "--master", url, "--processors", processors, "--slots", "8", "--id", `w${i + 1}`], "worker-ready", started)));
    log(`restart:   cluster up: master ${url}, ${workers} workers`);
    const id = await submit(url, "restartSum", { n, ms, runLog }, settings);
    const before = await readUntil("restart", url, id, (v) => (v.progress?.names.T?.success ?? 0) >= killAt * n, `${Math.round(killAt * 100)} % done`, 120_000 + n * 10);
    const successAtKill = before.v.progress!.names.T!.success;
    master.proc.kill("SIGKILL");
    const killedAt = performance.now();
    await new Promise((r) => master.proc.once("exit", r));
    const again = await startCliProcess("restart", cli, "master-2",
      ["master", "--port", new URL(url).port, "--store", `sqlite:${db}`, "--processors", processors], "master-ready", started);
    const restartSeconds = (performance.now() - killedAt) / 1000;
    if (!(again.ready.resumed as string[]).includes(id)) throw new Error(`restart: the new master did not resume ${id}`);
    const resumed = await readUntil("restart", url, id, (v) => (v.progress?.names.T?.success ?? 0) > successAtKill || v.status !== "RUNNING", "progress after the restart", 60_000);
    const done = await readUntil("restart", url, id, (v) => v.status !== "RUNNING", "end", 120_000 + n * 10);
    const { ranTwice, runs, countersExact } = rerunOutcome("restart", done.v, n, dir);
    return {
      successAtKill, restartSeconds, resumeSeconds: (resumed.at - killedAt) / 1000, doneSeconds: (done.at - killedAt) / 1000,
      ranTwice, runs, countersExact,
    };
  } finally {
    await Promise.all(started.map((p) => stopCliProcess(p)));
    rmSync(dir, { recursive: true, force: true });
  }
}
