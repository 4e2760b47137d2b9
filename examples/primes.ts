/**
 * A processor module: counts the primes below `n` with a two-level MapReduce.
 * ROOT maps `ranges` RANGE tasks; each RANGE maps CHUNK tasks of `chunk`
 * numbers; each CHUNK counts its primes; reduce adds them up.
 */
import { defineMapReduce } from "../src/index.ts";

/** Params of the primes job. */
export interface PrimesParams {
  n: number;
  ranges: number;
  chunk: number;
  [k: string]: number;
}

function isPrime(x: number): boolean {
  if (x < 2) return false;
  if (x % 2 === 0) return x === 2;
  for (let d = 3; d * d <= x; d += 2) if (x % d === 0) return false;
  return true;
}

/** Counts primes below params.n. */
export const primes = defineMapReduce<PrimesParams>({
  async process(ctx) {
    const { n, ranges, chunk } = ctx.params;
    if (ctx.isRoot) {
      const step = Math.ceil(n / ranges);
      const bodies: [number, number][] = [];
      for (let from = 0; from < n; from += step) bodies.push([from, Math.min(n, from + step)]);
      await ctx.map(bodies, "RANGE");
      return { ok: true };
    }
    const [from, to] = ctx.body as [number, number];
    if (ctx.taskName === "RANGE") {
      const bodies: [number, number][] = [];
      for (let a = from; a < to; a += chunk) bodies.push([a, Math.min(to, a + chunk)]);
      await ctx.map(bodies, "CHUNK");
      return { ok: true };
    }
    let count = 0;
    for (let x = from; x < to; x++) if (isPrime(x)) count++;
    return { ok: true, result: count };
  },
  async reduce(ctx) {
    let primes = 0, chunks = 0;
    for await (const r of ctx.results) {
      if (r.name !== "CHUNK") continue;
      primes += r.result as number;
      chunks++;
    }
    return { ok: true, result: { primes, chunks } };
  },
});
