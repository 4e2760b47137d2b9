// B22 task timeouts (on the worker, and the master's own bound) and B23 the instance's timeout.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { Gate, gated } from "./processors.ts";
import { defineMapReduce } from "../../src/index.ts";
import type { Message, Reply } from "../../src/protocol/index.ts";
import { reportColumns, reportsOf } from "../../src/protocol/columns.ts";

/** ROOT maps `n` tasks T; T0's first `hangs` runs never return — not even when aborted. */
function hangingJob(n: number, hangs: number, runs: number[]) {
  return defineMapReduce({
    async process(ctx) {
      if (ctx.isRoot) {
        await ctx.map(Array.from({ length: n }, (_, i) => i), "T");
        return { ok: true };
      }
      if (ctx.body === 0 && runs.push(ctx.attempt) <= hangs) await new Promise(() => undefined);
      return { ok: true, result: ctx.body };
    },
    async reduce(ctx) {
      let sum = 0;
      for await (const r of ctx.results) if (r.name === "T" && r.status === "SUCCESS") sum += r.result as number;
      return { ok: true, result: sum };
    },
  });
}

describe("B22 task timeouts", () => {
  it("B22: a hanging task is aborted on its worker taskTimeout after it started, fails \"timed out after 2s\", is retried and succeeds", async () => {
    const runs: number[] = [];
    const c = await new Cluster({ processors: { job: hangingJob(5, 1, runs) } }).start();
    const id = await c.master.submit({ processor: "job", settings: { taskTimeout: "2s", taskMaxAttempts: 2, taskRetryDelay: "100ms" } });
    const v = await c.finish(id);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toBe(10);
    expect(runs).toHaveLength(2);
    expect(v.progress!.names.T).toEqual({ total: 5, init: 0, pulled: 0, running: 0, success: 5, failed: 0 });
    // The first run ended at its timeout (2 s), not when the liveness timeout would notice.
    expect(v.finishedAt! - v.createdAt).toBeGreaterThanOrEqual(2000);
    expect(v.finishedAt! - v.createdAt).toBeLessThan(3000);
    c.close();
  });

  it("B22: when the worker never says a run ended, the master fails it taskTimeout + livenessTimeoutMs after its RUNNING report", async () => {
    const runs: number[] = [];
    const c = new Cluster({ processors: { job: hangingJob(3, 1, runs) }, workers: 1 });
    // The worker's final reports of T0 are lost on the way (its worker believes them delivered).
    const send = c.network.request.bind(c.network);
    c.network.request = (async (to: string, msg: Message, opts?: { timeoutMs?: number }): Promise<Reply> => {
      if (msg.type === "report") {
        const all = msg.reports.flatMap(reportsOf);
        const kept = all.filter((r) => !(r.taskId === "r.0.0" && r.status !== "RUNNING"));
        if (kept.length === 0) return { ok: true, applied: all.length, refused: 0 };
        msg = { ...msg, reports: reportColumns(kept) };
      }
      return send(to, msg, opts);
    }) as typeof c.network.request;
    await c.start();
    const id = await c.master.submit({ processor: "job", settings: { taskTimeout: "2s", livenessTimeoutMs: 4000, execOnMaster: false } });
    const v = await c.finish(id);
    expect(v.status).toBe("FAILED");
    expect(v.result).toBe("1 of 4 tasks failed");
    expect(v.progress!.names.T).toEqual({ total: 3, init: 0, pulled: 0, running: 0, success: 2, failed: 1 });
    expect(v.finishedAt! - v.createdAt).toBeGreaterThanOrEqual(6000);
    expect(v.finishedAt! - v.createdAt).toBeLessThan(7500);
    const rec = await c.store.getInstance(id);
    expect(rec?.errors?.[0]).toMatchObject({ taskId: "r.0.0", name: "T", message: "timed out after 2s" });
    c.close();
  });
});

describe("B23 instance timeout", () => {
  it("B23: an instance still running `timeout` after it started is killed, \"timed out after 3s\"", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) } }).start();
    const id = await c.master.submit({ processor: "job", params: { n: 4 }, settings: { timeout: "3s" } });
    const v = await c.finish(id);
    expect(v.status).toBe("FAILED");
    expect(v.result).toBe("timed out after 3s");
    expect(v.finishedAt! - v.createdAt).toBe(3000);
    expect(v.progress!.names.CHILD).toMatchObject({ total: 4, failed: 4 });
    c.close();
  });

  it("B23: the timeout bounds reduce too: a reduce still running then is aborted and the instance fails \"timed out after 2s\"", async () => {
    let aborted: unknown = null;
    const slowReduce = defineMapReduce({
      async process(ctx) {
        if (ctx.isRoot) await ctx.map([1, 2, 3], "T");
        return { ok: true, result: 1 };
      },
      async reduce(ctx) {
        ctx.signal.addEventListener("abort", () => { aborted = ctx.signal.reason; });
        return new Promise(() => undefined); // never returns, not even when aborted
      },
    });
    const c = await new Cluster({ processors: { slowReduce } }).start();
    const id = await c.master.submit({ processor: "slowReduce", settings: { timeout: "2s" } });
    const v = await c.finish(id);
    expect([v.status, v.result, v.finishedAt! - v.createdAt]).toEqual(["FAILED", "timed out after 2s", 2000]);
    expect(aborted).toBe("timed out after 2s");
    expect(v.progress!.names.T).toMatchObject({ total: 3, success: 3 });
    c.close();
  });
});
