// A processor module as a user of the installed package writes it: public imports only.
import { defineMapReduce } from "taskmill";

/** The sum of the squares below params.n: ROOT maps each number as one NUM task; reduce adds the squares up. */
export const sumSquares = defineMapReduce({
  async process(ctx) {
    if (ctx.isRoot) {
      await ctx.map(Array.from({ length: ctx.params.n }, (_, i) => i), "NUM");
      return { ok: true };
    }
    return { ok: true, result: ctx.body * ctx.body };
  },
  async reduce(ctx) {
    let sum = 0;
    for await (const r of ctx.results) if (r.name === "NUM") sum += r.result;
    return { ok: true, result: sum };
  },
});

/** Not a processor: the master and workers ignore it (with a warning). */
export const version = 1;
