/**
 * What the master's own worker runs once an instance's tasks have all ended
 * (B16): a MapReduce processor's reduce, a Map processor's postProcess.
 */
import type { InstanceSpec } from "../protocol/messages.ts";
import { processorKind } from "../processor/define.ts";
import type { ProcessorMap, ReduceContext } from "../processor/types.ts";
import type { ResultRow } from "../store/task-store.ts";
import { thrown, toOutcome, type Outcome } from "./outcome.ts";
import { errorMessage } from "../errors/error-message.ts";
import { taskResults } from "./task-results.ts";

function context(spec: InstanceSpec, status: "SUCCESS" | "FAILED", results: AsyncIterable<ResultRow>, signal: AbortSignal): ReduceContext {
  return { instanceId: spec.instanceId, params: spec.params ?? null, serialNum: spec.serialNum, status, results: taskResults(results), signal };
}

/** Runs `reduce` of the instance's processor; its outcome is checked like a task's (result size included). */
export async function runReduce(
  processors: ProcessorMap, maxResultBytes: number,
  spec: InstanceSpec, status: "SUCCESS" | "FAILED", results: AsyncIterable<ResultRow>, signal: AbortSignal,
): Promise<Outcome> {
  const p = processors[spec.processor];
  if (!p || processorKind(p) !== "mapreduce") return { status: "FAILED", result: `processor ${spec.processor} has no reduce` };
  try {
    return toOutcome(await (p as { reduce(c: ReduceContext): unknown }).reduce(context(spec, status, results, signal)), "reduce", maxResultBytes);
  } catch (e) {
    return { status: "FAILED", result: errorMessage(e), error: thrown(e) };
  }
}

/** Runs `postProcess` of the instance's processor, if it has one; a throw is the caller's to report. */
export async function runPostProcess(
  processors: ProcessorMap, spec: InstanceSpec, status: "SUCCESS" | "FAILED", results: AsyncIterable<ResultRow>, signal: AbortSignal,
): Promise<void> {
  const p = processors[spec.processor] as { postProcess?: (c: ReduceContext) => unknown } | undefined;
  if (p?.postProcess) await p.postProcess(context(spec, status, results, signal));
}
