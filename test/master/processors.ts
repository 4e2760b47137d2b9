// Processors used by the master's tests.
import { defineMap, defineMapReduce, type TaskContext, type JsonValue } from "../../src/index.ts";

/** Σ x² for x < n, the answer `sumSquares` must reduce to. */
export function sumOfSquares(n: number): number {
  return ((n - 1) * n * (2 * n - 1)) / 6;
}

interface SumParams { n: number; ranges: number; [k: string]: JsonValue }

/**
 * Two map levels: ROOT maps `ranges` ranges (RANGE), each range maps one task
 * per number (NUM), each NUM returns x²; reduce sums the NUM results.
 */
export const sumSquares = defineMapReduce<SumParams>({
  async process(ctx) {
    if (ctx.isRoot) {
      const { n, ranges } = ctx.params;
      const step = Math.ceil(n / ranges);
      const bodies: JsonValue[] = [];
      for (let from = 0; from < n; from += step) bodies.push([from, Math.min(n, from + step)]);
      await ctx.map(bodies, "RANGE");
      return { ok: true, result: "mapped" };
    }
    if (ctx.taskName === "RANGE") {
      const [from, to] = ctx.body as [number, number];
      const bodies: number[] = [];
      for (let x = from; x < to; x++) bodies.push(x);
      await ctx.map(bodies, "NUM");
      return { ok: true };
    }
    const x = ctx.body as number;
    return { ok: true, result: x * x };
  },
  async reduce(ctx) {
    let sum = 0, count = 0;
    for await (const r of ctx.results) {
      if (r.name === "NUM" && r.status === "SUCCESS") { sum += r.result as number; count++; }
    }
    return { ok: true, result: { sum, count } };
  },
});

/** A controllable processor: tests decide when and how each task ends. */
export class Gate {
  readonly started: TaskContext[] = [];
  readonly #waiting = new Map<string, Array<(r: { ok: boolean; result?: JsonValue }) => void>>();
  #open = false;

  /** From now on every task (waiting or new) succeeds at once. */
  open(): void {
    this.#open = true;
    this.releaseAll();
  }

  /** Ends every started, unfinished run of `taskId`. */
  release(taskId: string, ok = true, result: JsonValue = null): void {
    for (const r of this.#waiting.get(taskId) ?? []) r({ ok, result });
    this.#waiting.delete(taskId);
  }

  /** Ends every waiting task. */
  releaseAll(ok = true): void {
    for (const id of [...this.#waiting.keys()]) this.release(id, ok, id);
  }

  /** Tasks started and waiting. */
  get waiting(): string[] { return [...this.#waiting.keys()]; }

  wait(ctx: TaskContext): Promise<{ ok: boolean; result?: JsonValue }> {
    this.started.push(ctx);
    if (this.#open) return Promise.resolve({ ok: true, result: ctx.taskId });
    return new Promise((resolve, reject) => {
      const list = this.#waiting.get(ctx.taskId) ?? [];
      list.push(resolve);
      this.#waiting.set(ctx.taskId, list);
      ctx.signal.addEventListener("abort", () => reject(new Error(`aborted: ${String(ctx.signal.reason)}`)));
    });
  }
}

/** ROOT maps `params.n` children named CHILD; each child waits on the gate. Reduce counts successes. */
export function gated(gate: Gate, opts: { reduce?: boolean; rootWaits?: boolean } = {}) {
  const process = async (ctx: TaskContext) => {
    if (ctx.isRoot) {
      const n = (ctx.params as { n: number }).n;
      await ctx.map(Array.from({ length: n }, (_, i) => i), "CHILD");
      if (opts.rootWaits) return gate.wait(ctx);
      return { ok: true, result: "root done" };
    }
    return gate.wait(ctx);
  };
  if (!opts.reduce) return defineMap({ process });
  return defineMapReduce({
    process,
    async reduce(ctx) {
      let ok = 0, failed = 0;
      for await (const r of ctx.results) if (r.name === "CHILD") r.status === "SUCCESS" ? ok++ : failed++;
      return { ok: true, result: { ok, failed } };
    },
  });
}
