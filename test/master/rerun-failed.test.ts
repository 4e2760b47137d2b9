// B26 rerun of failed tasks: a FAILED instance runs again over its failed tasks only, and reduces over all.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { defineMapReduce } from "../../src/index.ts";
import { RetryRefusedError } from "../../src/master/rerun.ts";

/** ROOT maps 10 tasks T; T3 and T7 fail while `broken` holds them; runs counted per task; reduce sums what succeeded. */
function job(broken: Set<number>, runs: Map<string, number>) {
  return defineMapReduce({
    async process(ctx) {
      runs.set(ctx.taskId, (runs.get(ctx.taskId) ?? 0) + 1);
      if (ctx.isRoot) {
        await ctx.map(Array.from({ length: 10 }, (_, i) => i), "T");
        return { ok: true };
      }
      if (broken.has(ctx.body as number)) return { ok: false, result: `T${String(ctx.body)} is broken` };
      return { ok: true, result: ctx.body };
    },
    async reduce(ctx) {
      let sum = 0, seen = 0;
      for await (const r of ctx.results) if (r.name === "T") { seen++; if (r.status === "SUCCESS") sum += r.result as number; }
      return { ok: true, result: { sum, seen } };
    },
  });
}

describe("B26 rerun of failed tasks", () => {
  it("B26: retryFailed reruns only the failed tasks under a new serialNum, keeps the succeeded ones, and reduces over every result", async () => {
    const broken = new Set([3, 7]), runs = new Map<string, number>();
    const c = await new Cluster({ processors: { job: job(broken, runs) } }).start();
    const first = await c.run("job");
    expect([first.status, first.failedCount, first.serialNum]).toEqual(["FAILED", 2, 1]);
    broken.clear();
    const again = (await c.master.retryFailed(first.instanceId))!;
    expect([again.status, again.serialNum, again.failedCount, again.retainUntil]).toEqual(["RUNNING", 2, 0, null]);
    const v = await c.finish(first.instanceId);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: 45, seen: 10 });
    expect(v.progress!.names.T).toEqual({ total: 10, init: 0, pulled: 0, running: 0, success: 10, failed: 0 });
    expect(runs.get("r")).toBe(1); // ROOT succeeded: not run again
    for (let i = 0; i < 10; i++) expect(runs.get(`r.0.${i}`), `T${i}`).toBe(i === 3 || i === 7 ? 2 : 1);
    // A SUCCESS ends it: its tasks are cleared as usual.
    expect((await c.master.tasks(v.instanceId))!.tasks).toEqual([]);
    c.close();
  });

  it("B26: refused, saying why, for a RUNNING, SUCCESS or recurring instance, or one whose tasks were not kept; null for an unknown one", async () => {
    const runs = new Map<string, number>();
    const c = await new Cluster({ processors: { bad: job(new Set([1]), runs), good: job(new Set(), runs) } }).start();
    const ok = await c.run("good");
    await expect(c.master.retryFailed(ok.instanceId)).rejects.toThrow(RetryRefusedError);
    await expect(c.master.retryFailed(ok.instanceId)).rejects.toThrow(/ended SUCCESS: it has no failed task to retry/);
    const cleared = await c.run("bad", null, { retainTasks: "none" });
    await expect(c.master.retryFailed(cleared.instanceId)).rejects.toThrow(/retainTasks "none".*"failed" \(the default\) or "all" keeps them/);
    const recurring = await c.master.submit({ processor: "bad", settings: { every: "1h", maxCycles: 1 } });
    const r = await c.finish(recurring);
    expect(r.status).toBe("FAILED");
    await expect(c.master.retryFailed(recurring)).rejects.toThrow(/is recurring/);
    const failed = await c.run("bad");
    await c.master.retryFailed(failed.instanceId);
    await expect(c.master.retryFailed(failed.instanceId)).rejects.toThrow(/is RUNNING/);
    expect(await c.master.retryFailed("no-such-instance")).toBeNull();
    expect((await c.finish(failed.instanceId)).status).toBe("FAILED"); // T1 is still broken
    c.close();
  });
});
