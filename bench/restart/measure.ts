// One restart run (B28): a master on a fresh SQLite file and worker processes over HTTP; at
// `killAt` × n tasks done the master is SIGKILLed and started again on the same file and
// port; the workers' run logs say how many tasks ran twice. Readings every EVERY_MS, timed
// on the bench's clock; a reading that fails while the master is down is skipped.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCliProcess, stopCliProcess } from "../lib/cli-process.ts";
import { builtFiles } from "../e2e/cluster.ts";
import { submit, view, type View } from "../e2e/api.ts";

/** Interval of the readings, ms. */
const EVERY_MS = 20;

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

/** Reads the instance, or undefined while the master does not answer. */
async function tryView(url: string, id: string): Promise<View | undefined> {
  try { return await view(url, id); } catch { return undefined; }
}

/** Reads every EVERY_MS until `until` holds; throws after `timeoutMs`. */
async function readUntil(url: string, id: string, until: (v: View) => boolean, what: string, timeoutMs: number): Promise<{ v: View; at: number }> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const t0 = performance.now();
    const v = await tryView(url, id);
    const at = (t0 + performance.now()) / 2;
    if (v && until(v)) return { v, at };
    if (performance.now() > end) throw new Error(`restart: no ${what} within ${timeoutMs / 1000} s; last view: ${JSON.stringify(v?.progress ?? null)}`);
    await new Promise((r) => setTimeout(r, EVERY_MS));
  }
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
    const before = await readUntil(url, id, (v) => (v.progress?.names.T?.success ?? 0) >= killAt * n, `${Math.round(killAt * 100)} % done`, 120_000 + n * 10);
    const successAtKill = before.v.progress!.names.T!.success;
    master.proc.kill("SIGKILL");
    const killedAt = performance.now();
    await new Promise((r) => master.proc.once("exit", r));
    const again = await startCliProcess("restart", cli, "master-2",
      ["master", "--port", new URL(url).port, "--store", `sqlite:${db}`, "--processors", processors], "master-ready", started);
    const restartSeconds = (performance.now() - killedAt) / 1000;
    if (!(again.ready.resumed as string[]).includes(id)) throw new Error(`restart: the new master did not resume ${id}`);
    const resumed = await readUntil(url, id, (v) => (v.progress?.names.T?.success ?? 0) > successAtKill || v.status !== "RUNNING", "progress after the restart", 60_000);
    const done = await readUntil(url, id, (v) => v.status !== "RUNNING", "end", 120_000 + n * 10);
    const sum = (done.v.result as { sum?: number } | null)?.sum;
    if (done.v.status !== "SUCCESS" || sum !== n) throw new Error(`restart: the job ended ${done.v.status} with ${JSON.stringify(done.v.result)}, expected sum ${n}`);
    const t = done.v.progress?.names.T;
    const countersExact = !!t && t.total === n && t.success === n && t.init + t.pulled + t.running + t.failed === 0;
    const perTask = new Map<string, number>();
    let runs = 0;
    for (const f of readdirSync(dir).filter((x) => x.startsWith("runs."))) {
      for (const line of readFileSync(join(dir, f), "utf8").split("\n")) {
        if (line === "") continue;
        runs++;
        perTask.set(line, (perTask.get(line) ?? 0) + 1);
      }
    }
    if (perTask.size !== n) throw new Error(`restart: the run logs name ${perTask.size} tasks, expected ${n}`);
    return {
      successAtKill, restartSeconds, resumeSeconds: (resumed.at - killedAt) / 1000, doneSeconds: (done.at - killedAt) / 1000,
      ranTwice: [...perTask.values()].filter((k) => k > 1).length, runs, countersExact,
    };
  } finally {
    await Promise.all(started.map((p) => stopCliProcess(p)));
    rmSync(dir, { recursive: true, force: true });
  }
}
