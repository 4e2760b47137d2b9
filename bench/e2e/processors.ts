/**
 * The e2e suite's processor module (loaded by the master and every worker
 * process from dist/bench/e2e/processors.js). Its named exports are the
 * processors; helpers live in other files, since any other export would be
 * refused with a warning by the loader.
 */
import { appendFileSync } from "node:fs";
import { defineMap, defineMapReduce } from "../../src/processor/define.ts";
import { cpuNowUs, mark, wallNow } from "./marks.ts";

/** Children per `ctx.map` call of the throughput job: the root maps in pages. */
const PAGE = 1000;

/** Instances whose first sub-task this process has already marked. */
const started = new Set<string>();

/**
 * The throughput job: ROOT maps `params.n` no-op T tasks in pages of 1,000
 * (bodies are their indexes); each T returns 1; reduce sums the results of
 * the T tasks that succeeded and counts them, so the bench can check sum = n.
 */
export const e2eSum = defineMapReduce<{ n: number }>({
  async process(ctx) {
    if (ctx.isRoot) {
      const { n } = ctx.params;
      mark(ctx.instanceId, "mapStart");
      for (let from = 0; from < n; from += PAGE) {
        const size = Math.min(PAGE, n - from);
        const bodies = new Array<number>(size);
        for (let i = 0; i < size; i++) bodies[i] = from + i;
        await ctx.map(bodies, "T");
      }
      mark(ctx.instanceId, "mapDone");
      return { ok: true };
    }
    if (!started.has(ctx.instanceId)) {
      started.add(ctx.instanceId);
      mark(ctx.instanceId, "firstStart");
    }
    return { ok: true, result: 1 };
  },
  async reduce(ctx) {
    const at = wallNow();
    let sum = 0, count = 0;
    for await (const r of ctx.results) {
      if (r.name !== "T" || r.status !== "SUCCESS") continue;
      sum += r.result as number;
      count++;
    }
    mark(ctx.instanceId, "reduceStart", at);
    // The master's CPU at the end of the job's work, before it stores the result and clears the tasks.
    const done = wallNow();
    mark(ctx.instanceId, "reduceDone", done, cpuNowUs());
    return { ok: true, result: { sum, count, reduceMs: done - at } };
  },
});

/** Body of a latency probe task: its map call's number and the wall time taken right before that call. */
interface ProbeBody {
  k: number;
  t: number;
  [key: string]: number;
}

/**
 * The latency probe: ROOT makes `calls` map calls of `perCall` P tasks,
 * `gapMs` apart, each body carrying the wall time taken right before its
 * `ctx.map`; a P task returns its call's number and (its own start − that
 * time); reduce keeps, per call, the first child's (smallest) latency and
 * returns the samples in call order.
 */
export const e2eProbe = defineMapReduce<{ calls: number; perCall: number; gapMs: number }>({
  async process(ctx) {
    const start = wallNow();
    if (ctx.isRoot) {
      const { calls, perCall, gapMs } = ctx.params;
      for (let k = 0; k < calls; k++) {
        const t = wallNow();
        await ctx.map(Array.from({ length: perCall }, () => ({ k, t })), "P");
        await new Promise((r) => setTimeout(r, gapMs));
      }
      return { ok: true };
    }
    const { k, t } = ctx.body as ProbeBody;
    return { ok: true, result: { k, l: start - t } };
  },
  async reduce(ctx) {
    const first = new Map<number, number>();
    let tasks = 0;
    for await (const r of ctx.results) {
      if (r.name !== "P" || r.status !== "SUCCESS") continue;
      const { k, l } = r.result as { k: number; l: number };
      first.set(k, Math.min(first.get(k) ?? Infinity, l));
      tasks++;
    }
    const samples = [...first.entries()].sort((a, b) => a[0] - b[0]).map(([, l]) => Math.round(l * 1000) / 1000);
    return { ok: true, result: { samples, tasks } };
  },
});

/**
 * The restart bench's job (bench/restart.ts): ROOT maps `params.n` T tasks
 * in pages of 1,000; every run of a T appends its task id to
 * `params.runLog` + "." + the process id (one file per worker process), then
 * waits `params.ms` and returns 1; reduce sums the results, so the bench
 * checks sum = n and counts the runs of each task across a master restart.
 */
export const restartSum = defineMapReduce<{ n: number; ms: number; runLog: string }>({
  async process(ctx) {
    const { n, ms, runLog } = ctx.params;
    if (ctx.isRoot) {
      for (let from = 0; from < n; from += PAGE) await ctx.map(Array.from({ length: Math.min(PAGE, n - from) }, (_, i) => from + i), "T");
      return { ok: true };
    }
    appendFileSync(`${runLog}.${process.pid}`, `${ctx.taskId}\n`);
    await new Promise((r) => setTimeout(r, ms));
    return { ok: true, result: 1 };
  },
  async reduce(ctx) {
    let sum = 0;
    for await (const r of ctx.results) if (r.name === "T" && r.status === "SUCCESS") sum += r.result as number;
    return { ok: true, result: { sum } };
  },
});

/**
 * The map1m job (bench/map1m.ts, B32): ROOT maps `params.n` small bodies in
 * ONE `ctx.map` call — the worker sends it in pages — and each M task returns 1.
 */
export const e2eMapAll = defineMap<{ n: number }>({
  async process(ctx) {
    if (ctx.isRoot) {
      const bodies = new Array<number>(ctx.params.n);
      for (let i = 0; i < bodies.length; i++) bodies[i] = i;
      await ctx.map(bodies, "M");
      return { ok: true };
    }
    return { ok: true, result: 1 };
  },
});
