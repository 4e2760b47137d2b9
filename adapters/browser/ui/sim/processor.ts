/**
 * The job the harness runs: a two-level MapReduce. ROOT maps `level1` SPLIT
 * tasks; SPLIT i maps `level2` LEAF tasks with bodies i·level2 … i·level2 +
 * level2 − 1; a LEAF takes its worker's time per task and returns its body;
 * reduce sums the LEAF results, so the answer is known: 0 + 1 + … + (N − 1).
 */
import { defineMapReduce } from "../../../../src/processor/define.ts";
import type { JsonValue } from "../../../../src/protocol/messages.ts";

export const SPLIT = "SPLIT";
export const LEAF = "LEAF";
/** Bodies per `map` call of a SPLIT. */
const MAP_CHUNK = 1000;

/** Params of the job. */
export interface SimParams {
  level1: number;
  level2: number;
  [k: string]: JsonValue;
}

/** What reduce returns. */
export interface SimAnswer {
  sum: number;
  count: number;
}

/** The answer a correct run reduces to. */
export function expectedAnswer(p: Pick<SimParams, "level1" | "level2">): SimAnswer {
  const n = p.level1 * p.level2;
  return { sum: (n * (n - 1)) / 2, count: n };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(t); reject(new Error(`aborted: ${String(signal.reason)}`)); }, { once: true });
  });
}

/** The job, with each LEAF taking `msPerTask()` ms (read per task, so a worker's speed can change mid-run). */
export function simJob(msPerTask: () => number) {
  return defineMapReduce<SimParams>({
    async process(ctx) {
      const { level1, level2 } = ctx.params;
      if (ctx.isRoot) {
        await ctx.map(Array.from({ length: level1 }, (_, i) => i), SPLIT);
        return { ok: true };
      }
      if (ctx.taskName === SPLIT) {
        const first = (ctx.body as number) * level2;
        for (let from = 0; from < level2; from += MAP_CHUNK) {
          const bodies = Array.from({ length: Math.min(MAP_CHUNK, level2 - from) }, (_, j) => first + from + j);
          const slowDown = await ctx.map(bodies, LEAF);
          if (slowDown) await sleep(50, ctx.signal); // the master asks for less
        }
        return { ok: true };
      }
      await sleep(msPerTask(), ctx.signal);
      return { ok: true, result: ctx.body };
    },
    async reduce(ctx) {
      let sum = 0, count = 0;
      for await (const r of ctx.results) {
        if (r.name === LEAF && r.status === "SUCCESS") { sum += r.result as number; count++; }
      }
      return { ok: true, result: { sum, count } };
    },
  });
}
