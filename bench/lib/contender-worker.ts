// Worker side of WorkerContender: loads the step factory named in workerData,
// then answers setup / warm / calibrate / round requests, one at a time.
import { parentPort, workerData } from "node:worker_threads";
import { calibrate, timed, type Step } from "./measure.ts";
import type { StepSource } from "./contender.ts";

const source = workerData as StepSource;
const mod = (await import(source.module)) as Record<string, unknown>;
const factory = mod[source.factory];
if (typeof factory !== "function") throw new Error(`bench worker: ${source.module} exports no function ${source.factory}`);
const build = factory as (spec: unknown, engine: string) => Step;
let step: Step | null = null;

function current(): Step {
  if (!step) throw new Error("bench worker: no step set up");
  return step;
}

parentPort!.on("message", (m: { type: string; spec?: unknown; engine?: string; ms?: number; every?: number }) => {
  try {
    let value = 0;
    if (m.type === "setup") step = build(m.spec, m.engine!);
    else if (m.type === "warm") timed(current(), m.ms!, 1);
    else if (m.type === "calibrate") value = calibrate(current());
    else if (m.type === "round") value = timed(current(), m.ms!, m.every!);
    else throw new Error(`bench worker: unknown request ${m.type}`);
    parentPort!.postMessage({ ok: true, value });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
});
