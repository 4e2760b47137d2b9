// B21 per-task retries: a failed run with runs left waits its backoff delay and runs again.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { defineMapReduce, type TaskResult } from "../../src/index.ts";
import { MemoryStore } from "../../src/store/index.ts";
import { retryDelay } from "../../src/master/instance/backoff.ts";

/** ROOT maps `n` tasks T; T number `flaky` fails `fails` times (throws, then ok: false, alternately) before it succeeds. Runs are timed. */
function flakyJob(o: { n: number; flaky: number; fails: number; runs: Map<number, number[]>; now: () => number }) {
  return defineMapReduce({
    async process(ctx) {
      if (ctx.isRoot) {
        await ctx.map(Array.from({ length: o.n }, (_, i) => i), "T");
        return { ok: true };
      }
      const i = ctx.body as number;
      const runs = o.runs.get(i) ?? [];
      runs.push(o.now());
      o.runs.set(i, runs);
      if (i === o.flaky && runs.length <= o.fails) {
        if (runs.length % 2 === 1) throw new Error(`T${i} failed run ${runs.length}`);
        return { ok: false, result: `T${i} said no on run ${runs.length}` };
      }
      return { ok: true, result: i };
    },
    async reduce(ctx) {
      const rows: TaskResult[] = [];
      for await (const r of ctx.results) if (r.name === "T") rows.push(r);
      return { ok: true, result: { sum: rows.reduce((a, r) => a + (r.status === "SUCCESS" ? r.result as number : 0), 0), failed: rows.filter((r) => r.status === "FAILED").length } };
    },
  });
}

describe("B21 task retries", () => {
  it("B21: a task failing twice then succeeding with taskMaxAttempts 3 ends SUCCESS with exact counters, after exponential backoff delays", async () => {
    const runs = new Map<number, number[]>();
    const clock = { now: () => 0 };
    const c = new Cluster({ processors: { job: flakyJob({ n: 10, flaky: 3, fails: 2, runs, now: () => clock.now() }) } });
    clock.now = () => c.clock.now();
    await c.start();
    const v = await c.run("job", null, { taskMaxAttempts: 3, taskRetryDelay: "1s", taskRetryBackoff: "exponential" });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: 45, failed: 0 });
    expect(v.progress!.names.T).toEqual({ total: 10, init: 0, pulled: 0, running: 0, success: 10, failed: 0 });
    const t3 = runs.get(3)!;
    expect(t3).toHaveLength(3);
    // First retry after 1 s ±20 %, the second after 2 s ±20 % (plus the dispatch's own few ms at most).
    expect(t3[1]! - t3[0]!).toBeGreaterThanOrEqual(800);
    expect(t3[1]! - t3[0]!).toBeLessThanOrEqual(1200 + 50);
    expect(t3[2]! - t3[1]!).toBeGreaterThanOrEqual(1600);
    expect(t3[2]! - t3[1]!).toBeLessThanOrEqual(2400 + 50);
    for (const [i, r] of runs) if (i !== 3) expect(r).toHaveLength(1);
    c.close();
  });

  it("B21: fixed backoff waits taskRetryDelay exactly; a task failing every run ends FAILED after taskMaxAttempts runs, its error kept", async () => {
    const runs = new Map<number, number[]>();
    const store = new MemoryStore();
    const clock = { now: (): number => 0 };
    const c: Cluster = new Cluster({ processors: { job: flakyJob({ n: 4, flaky: 1, fails: 99, runs, now: () => clock.now() }) }, store });
    clock.now = () => c.clock.now();
    await c.start();
    const id = await c.master.submit({ processor: "job", settings: { taskMaxAttempts: 4, taskRetryDelay: "500ms", taskRetryBackoff: "fixed" } });
    const v = await c.finish(id);
    expect(v.status).toBe("FAILED");
    expect(v.progress!.names.T).toEqual({ total: 4, init: 0, pulled: 0, running: 0, success: 3, failed: 1 });
    const t1 = runs.get(1)!;
    expect(t1).toHaveLength(4);
    for (let k = 1; k < 4; k++) expect(t1[k]! - t1[k - 1]!).toBeGreaterThanOrEqual(500);
    for (let k = 1; k < 4; k++) expect(t1[k]! - t1[k - 1]!).toBeLessThanOrEqual(550);
    // B25: the failed instance keeps its tasks; the last run's error (ok: false on run 4) is stored with it.
    const row = await store.getTask(id, "r.0.1");
    expect(row?.status).toBe(5);
    expect(row?.failures).toBe(4);
    expect(row?.error?.message).toBe("T1 said no on run 4");
    c.close();
  });

  it("B21: the delay doubles per failure within ±20 %, never past taskRetryDelayMax; fixed does not grow", () => {
    const s = { taskRetryDelay: 1000, taskRetryBackoff: "exponential" as const, taskRetryDelayMax: 5000 };
    expect([1, 2, 3].map((f) => retryDelay(s, f, () => 0.5))).toEqual([1000, 2000, 4000]);
    expect(retryDelay(s, 1, () => 0)).toBe(800);
    expect(retryDelay(s, 1, () => 0.999999)).toBe(1200);
    expect(retryDelay(s, 4, () => 0.5)).toBe(5000);
    expect(retryDelay(s, 60, () => 0.5)).toBe(5000);
    expect(retryDelay({ ...s, taskRetryBackoff: "fixed" }, 7, () => 0.9)).toBe(1000);
  });

  it("B21: without taskMaxAttempts a failed run is final at once (one run, as before)", async () => {
    const runs = new Map<number, number[]>();
    const c = await new Cluster({ processors: { job: flakyJob({ n: 3, flaky: 0, fails: 1, runs, now: () => 0 }) } }).start();
    const v = await c.run("job");
    expect(v.status).toBe("FAILED");
    expect(runs.get(0)).toHaveLength(1);
    c.close();
  });
});
