/**
 * The verdict of a finished run: the counters and the answer checked against
 * what the job must produce. Pure, so it is tested without a browser.
 */
import type { NameProgress, WorkerProgress } from "../../../../src/store/task-store.ts";
import type { JsonValue } from "../../../../src/protocol/messages.ts";
import { expectedAnswer, LEAF, SPLIT, type SimParams } from "./processor.ts";

/** One check and what it found. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** Not applicable to this run (it passes, and says why in `detail`). */
  skipped?: boolean;
}

/** All checks of a run; ok when every one passed. */
export interface Verdict {
  ok: boolean;
  status: string;
  checks: Check[];
}

/** What the verdict reads: the final instance view. */
export interface FinishedRun {
  status: string;
  result: JsonValue;
  names: Record<string, NameProgress>;
  workers: Record<string, WorkerProgress>;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Checks a finished run of the job with `params`. A run `resumed` by a new
 * master (the page was reloaded mid-run) skips the per-worker sum: the master
 * rebuilds per-name counters from the store on resume, per-worker ones start
 * again from zero.
 */
export function verdict(run: FinishedRun, params: Pick<SimParams, "level1" | "level2">, resumed = false): Verdict {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  check("instance status is SUCCESS", run.status === "SUCCESS", run.status);

  const expected: Record<string, number> = { ROOT: 1, [SPLIT]: params.level1, [LEAF]: params.level1 * params.level2, REDUCE: 1 };
  for (const [name, total] of Object.entries(expected)) {
    const n = run.names[name];
    check(`${name}: total = ${total}`, n?.total === total, n ? `total ${n.total}` : "no counters");
  }
  for (const [name, n] of Object.entries(run.names)) {
    const ended = n.success + n.failed;
    check(`${name}: success + failed = total`, ended === n.total,
      `${n.success} + ${n.failed} = ${ended} of ${n.total}${n.init + n.pulled + n.running > 0 ? ` (${n.init} init, ${n.pulled} pulled, ${n.running} running)` : ""}`);
  }
  const failed = Object.values(run.names).reduce((s, n) => s + n.failed, 0);
  check("no task failed", failed === 0, `${failed} failed`);

  const leafByWorkers = Object.values(run.workers).reduce((s, w) => s + w.success, 0);
  const successByNames = Object.values(run.names).reduce((s, n) => s + n.success, 0);
  const sums = `${leafByWorkers} vs ${successByNames}`;
  if (resumed) checks.push({ name: "workers' successes add up to the names' successes", ok: true, skipped: true, detail: `not checked: resumed by a new master, whose per-worker counters start at the resume (${sums})` });
  else check("workers' successes add up to the names' successes", leafByWorkers === successByNames, sums);

  const answer = expectedAnswer(params);
  check("reduce result is the known answer", same(run.result, answer), `${JSON.stringify(run.result)}, expected ${JSON.stringify(answer)}`);
  return { ok: checks.every((c) => c.ok), status: run.status, checks };
}
