// What the restart and takeover suites share: reading an instance while its
// master dies and another (or the same, restarted) carries on, and counting
// from the workers' run logs how many tasks ran more than once.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { view, type View } from "../e2e/api.ts";

/** Interval of the readings, ms. */
const EVERY_MS = 20;

/** A view with its owner (shared masters list it). */
export type OwnedView = View & { owner?: string };

/** Reads the instance, or undefined while the master does not answer. */
async function tryView(url: string, id: string): Promise<OwnedView | undefined> {
  try { return await view(url, id) as OwnedView; } catch { return undefined; }
}

/**
 * Reads every EVERY_MS until `until` holds, with the reading's time (the
 * middle of its request); throws, naming `suite` and `what`, after `timeoutMs`.
 */
export async function readUntil(
  suite: string, url: string, id: string, until: (v: OwnedView) => boolean, what: string, timeoutMs: number,
): Promise<{ v: OwnedView; at: number }> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const t0 = performance.now();
    const v = await tryView(url, id);
    const at = (t0 + performance.now()) / 2;
    if (v && until(v)) return { v, at };
    if (performance.now() > end) throw new Error(`${suite}: no ${what} within ${timeoutMs / 1000} s; last view: ${JSON.stringify(v ? { owner: v.owner, progress: v.progress } : null)}`);
    await new Promise((r) => setTimeout(r, EVERY_MS));
  }
}

/** How a job of `n` T tasks summing to `n` ended, and how often its tasks ran. */
export interface RerunOutcome {
  /** Tasks that ran more than once (from the workers' run logs). */
  ranTwice: number;
  /** Runs of T tasks in all. */
  runs: number;
  /** The final T counters: total = n = success, nothing else left. */
  countersExact: boolean;
}

/**
 * Checks the final view `v` (SUCCESS with sum `n`, else throws naming
 * `suite`) and reads the workers' run logs (`runs.*` files in `dir`, one
 * task id a line) to count the tasks that ran more than once.
 */
export function rerunOutcome(suite: string, v: View, n: number, dir: string): RerunOutcome {
  const sum = (v.result as { sum?: number } | null)?.sum;
  if (v.status !== "SUCCESS" || sum !== n) throw new Error(`${suite}: the job ended ${v.status} with ${JSON.stringify(v.result)}, expected sum ${n}`);
  const t = v.progress?.names.T;
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
  if (perTask.size !== n) throw new Error(`${suite}: the run logs name ${perTask.size} tasks, expected ${n}`);
  return { ranTwice: [...perTask.values()].filter((k) => k > 1).length, runs, countersExact };
}
