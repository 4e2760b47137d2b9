// B24 failure tolerance: maxFailedTasks and failFast; B16 reduce reads failed tasks with their error.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { Gate } from "./processors.ts";
import { defineMapReduce } from "../../src/index.ts";

/** ROOT maps `n` tasks T; T i fails (throws) when i < failing; the rest wait on `gate` when given. Reduce lists the failures. */
function job(n: number, failing: number, gate: Gate | null = null) {
  return defineMapReduce({
    async process(ctx) {
      if (ctx.isRoot) {
        await ctx.map(Array.from({ length: n }, (_, i) => i), "T");
        return { ok: true, result: "root" };
      }
      const i = ctx.body as number;
      if (i < failing) throw new Error(`T${i} broke`);
      if (gate) return gate.wait(ctx);
      return { ok: true, result: i };
    },
    async reduce(ctx) {
      const failed: Array<{ taskId: string; status: string; message: string | null }> = [];
      let ok = 0;
      for await (const r of ctx.results) {
        if (r.name !== "T") continue;
        if (r.status === "SUCCESS") ok++;
        else failed.push({ taskId: r.taskId, status: r.status, message: r.error?.message ?? null });
      }
      return { ok: true, result: { ok, failed } };
    },
    runReduceIfFail: true,
  });
}

describe("B24 failure tolerance", () => {
  it("B24: at most maxFailedTasks sub-tasks failed for good → SUCCESS; one more → FAILED", async () => {
    const c = await new Cluster({ processors: { two: job(10, 2), three: job(10, 3) } }).start();
    const a = await c.run("two", null, { maxFailedTasks: 2 });
    expect(a.status).toBe("SUCCESS");
    expect(a.result).toEqual({
      ok: 8,
      failed: [{ taskId: "r.0.0", status: "FAILED", message: "T0 broke" }, { taskId: "r.0.1", status: "FAILED", message: "T1 broke" }],
    });
    const b = await c.run("three", null, { maxFailedTasks: 2 });
    expect(b.status).toBe("FAILED");
    // B16: with runReduceIfFail the reduce's result is the instance's, though the instance failed.
    expect((b.result as { ok: number }).ok).toBe(7);
    c.close();
  });

  it("B24: a percentage is of the final sub-task total, rounded down", async () => {
    const c = await new Cluster({ processors: { j: job(250, 2), k: job(250, 3) } }).start();
    expect((await c.run("j", null, { maxFailedTasks: "1%" })).status).toBe("SUCCESS"); // 1 % of 250 = 2.5 → 2
    expect((await c.run("k", null, { maxFailedTasks: "1%" })).status).toBe("FAILED");
    expect((await c.run("k", null, { maxFailedTasks: "1.2%" })).status).toBe("SUCCESS"); // 3
    c.close();
  });

  it("B24: failFast ends the instance FAILED as soon as it can no longer succeed, aborting what still runs", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: job(6, 2, gate) } }).start();
    const v = await c.run("job", null, { maxFailedTasks: 1, failFast: true });
    expect(v.status).toBe("FAILED");
    expect(v.result).toBe("2 of 6 sub-tasks failed: more than maxFailedTasks (1) allows, failFast");
    // The gate never opened: every run that waited on it was aborted with the instance.
    expect(gate.started.length).toBeGreaterThan(0);
    for (const ctx of gate.started) expect(ctx.signal.aborted, ctx.taskId).toBe(true);
    expect(v.progress!.names.T).toMatchObject({ total: 6, success: 0, failed: 6 });
    expect(v.progress!.names.REDUCE).toBeUndefined();
    c.close();
  });
});
