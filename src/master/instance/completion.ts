import { FAILED, N_INIT, N_PULLED, N_RUNNING, N_SUCCESS, N_FAILED, N_TOTAL, RUNNING, SUCCESS } from "../../../core-as/shared/constants.ts";
import type { Core } from "../../core/index.ts";
import type { InstanceSpec, JsonValue } from "../../protocol/messages.ts";
import type { ResultRow } from "../../store/task-store.ts";
import { sumOverNames } from "./counts.ts";
import { isMapReduce } from "../../processor/define.ts";
import type { Processor } from "../../processor/types.ts";
import type { Cycle } from "./cycle.ts";
import type { OwnWorker, ReduceOutcome } from "./host.ts";
import { REDUCE, ROOT } from "./task-names.ts";
import { errorMessage } from "../../errors/error-message.ts";

/** How ROOT ended (row 0): a failed ROOT's result is the instance's (B12). */
export interface RootOutcome {
  status: number;
  result: JsonValue;
}

/**
 * B12: true when every sub-task is final and nothing is in flight — no task
 * live in the table and no map insert holding room.
 */
export function allFinal(core: Core, nameCount: number, reserved: number): boolean {
  const c = core.counters;
  if (sumOverNames(c, nameCount, N_INIT) + sumOverNames(c, nameCount, N_PULLED) + sumOverNames(c, nameCount, N_RUNNING) > 0) return false;
  return reserved === 0 && core.table.live === 0;
}

/** Sub-tasks (every task but ROOT and REDUCE) in all, and those that failed for good; and whether ROOT failed. */
export function failureCounts(core: Core, nameCount: number): { subTasks: number; failed: number; rootFailed: boolean } {
  const c = core.counters;
  const root = c.name(ROOT);
  return {
    subTasks: sumOverNames(c, nameCount, N_TOTAL) - root.total,
    failed: sumOverNames(c, nameCount, N_FAILED) - root.failed,
    rootFailed: root.failed > 0,
  };
}

/**
 * B12, B24: the outcome the counters say: SUCCESS when ROOT succeeded and at
 * most `allowed(subTasks)` sub-tasks failed for good (the result is ROOT's),
 * else FAILED with ROOT's result when ROOT failed, or the count of failed
 * tasks; FAILED too when the counts do not add up.
 */
export function countedOutcome(core: Core, nameCount: number, root: RootOutcome | null, allowed: (subTasks: number) => number = () => 0): ReduceOutcome {
  const c = core.counters;
  const total = sumOverNames(c, nameCount, N_TOTAL), success = sumOverNames(c, nameCount, N_SUCCESS), failed = sumOverNames(c, nameCount, N_FAILED);
  if (success + failed < total) return { status: "FAILED", result: `count is wrong: ${success} succeeded + ${failed} failed < ${total} tasks` };
  if (root && root.status === FAILED) return { status: "FAILED", result: root.result };
  const f = failureCounts(core, nameCount);
  if (f.rootFailed || f.failed > allowed(f.subTasks)) return { status: "FAILED", result: `${failed} of ${total} tasks failed` };
  return { status: "SUCCESS", result: root?.result ?? null };
}

/** What a reduce run needs. */
export interface ReduceRun {
  readonly core: Core;
  /** The master's own worker's index in the cycle's table (REDUCE is counted on it). */
  readonly own: number;
  readonly spec: InstanceSpec;
  readonly results: AsyncIterable<ResultRow>;
  readonly signal: AbortSignal;
  reduce(spec: InstanceSpec, status: "SUCCESS" | "FAILED", results: AsyncIterable<ResultRow>, signal: AbortSignal): Promise<ReduceOutcome>;
}

/** B16: runs reduce on the master's own worker, counted as one REDUCE task of that worker. */
export async function runReduce(run: ReduceRun, status: "SUCCESS" | "FAILED"): Promise<ReduceOutcome> {
  const c = run.core, own = Int32Array.of(run.own), first = Int32Array.of(0);
  c.counters.add(Int32Array.of(REDUCE), Int32Array.of(1));
  const h = new Uint32Array(1);
  c.table.admit(Int32Array.of(REDUCE), first, 1, h);
  c.table.assign(h, own, 1);
  c.table.report(h, first, own, Int32Array.of(RUNNING), 1);
  const outcome = await run.reduce(run.spec, status, run.results, run.signal);
  c.table.report(h, first, own, Int32Array.of(outcome.status === "SUCCESS" ? SUCCESS : FAILED), 1);
  return outcome;
}

/** What deciding a finished cycle's outcome needs. */
export interface OutcomeInput {
  readonly cycle: Cycle;
  readonly processor: Processor;
  /** The job's runReduceIfFail; null defers to the processor's. */
  readonly runReduceIfFail: boolean | null;
  /** Sub-tasks that may fail for good, of this many, while the instance succeeds (B24). */
  readonly allowed: (subTasks: number) => number;
  readonly ownWorker: OwnWorker;
  readonly spec: InstanceSpec;
  readonly results: AsyncIterable<ResultRow>;
}

/**
 * B12, B16: a finished cycle's outcome — what the counters say, then, for
 * MapReduce, reduce's (run on success, or on failure with runReduceIfFail: a
 * failed reduce's reason becomes the result, and a reduce after failures
 * keeps the failure's), or for Map, postProcess (which fails the instance if
 * it throws).
 */
export async function decideOutcome(o: OutcomeInput): Promise<ReduceOutcome> {
  const { cycle, processor } = o;
  let { status, result } = countedOutcome(cycle.core, cycle.names.list.length, cycle.root, o.allowed);
  const signal = cycle.abort.signal;
  if (isMapReduce(processor)) {
    if (status === "SUCCESS" || (o.runReduceIfFail ?? processor.runReduceIfFail ?? false)) {
      const outcome = await runReduce({
        core: cycle.core, own: cycle.workers.ownIndex() ?? 0, spec: o.spec, results: o.results, signal,
        reduce: (...a) => o.ownWorker.reduce(...a),
      }, status);
      // Reduce's result is the instance's — after failures too, with runReduceIfFail (a reduce that
      // gathers the failures reports them); a failed reduce fails the instance (B16).
      result = outcome.result;
      if (outcome.status === "FAILED") status = "FAILED";
    }
    return { status, result };
  }
  try {
    await o.ownWorker.postProcess(o.spec, status, o.results, signal);
  } catch (e) {
    return { status: "FAILED", result: `postProcess failed: ${errorMessage(e)}` };
  }
  return { status, result };
}

/** B25: whether a run that ended with `status` keeps its tasks (retainTasks "all", or "failed" and it failed). */
export function retains(s: { readonly retainTasks: "failed" | "all" | "none" }, status: "SUCCESS" | "FAILED"): boolean {
  return s.retainTasks === "all" || (s.retainTasks === "failed" && status === "FAILED");
}
