// B25 errors kept and visible: a failed run's error stored with its task, listed on the instance,
// tasks kept by retainTasks for retainFor, paged through the store with the live state laid over.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { Gate } from "./processors.ts";
import { defineMap } from "../../src/index.ts";
import { MemoryStore } from "../../src/store/index.ts";

/** ROOT maps `n` tasks T; T i < failing throws (with a stack); the others wait on `gate` when given. */
function job(n: number, failing: number, gate: Gate | null = null) {
  return defineMap({
    async process(ctx) {
      if (ctx.isRoot) {
        await ctx.map(Array.from({ length: n }, (_, i) => i), "T");
        return { ok: true };
      }
      const i = ctx.body as number;
      if (i < failing) throw new Error(`T${i} broke`);
      if (gate) return gate.wait(ctx);
      return { ok: true, result: i };
    },
  });
}

describe("B25 errors kept and visible", () => {
  it("B25: a FAILED instance keeps its tasks with their errors; the record lists the failed count and the first ten", async () => {
    const store = new MemoryStore();
    const c = await new Cluster({ processors: { job: job(30, 12) }, store }).start();
    const v = await c.run("job");
    expect(v.status).toBe("FAILED");
    expect(v.failedCount).toBe(12);
    expect(v.errors).toHaveLength(10);
    expect(v.errors[0]).toMatchObject({ name: "T", attempt: 0, message: expect.stringMatching(/^T\d+ broke$/) });
    expect(v.retainUntil).toBe(v.finishedAt! + 7 * 86_400_000);
    const page = (await c.master.tasks(v.instanceId, { status: "FAILED", limit: 5 }))!;
    expect(page.tasks).toHaveLength(5);
    expect(page.tasks[0]).toMatchObject({ taskId: "r.0.0", name: "T", status: "FAILED", failures: 1, error: { message: "T0 broke" } });
    expect(page.tasks[0]!.error!.stack).toContain("T0 broke");
    const rest = (await c.master.tasks(v.instanceId, { status: "FAILED", limit: 1000, cursor: page.cursor }))!;
    expect(rest.tasks.map((t) => t.taskId)).toEqual(Array.from({ length: 7 }, (_, i) => `r.0.${i + 5}`));
    expect(rest.cursor).toBeNull();
    const ok = (await c.master.tasks(v.instanceId, { status: "SUCCESS", name: "T" }))!;
    expect(ok.tasks.map((t) => t.result)).toEqual(Array.from({ length: 18 }, (_, i) => i + 12));
    c.close();
  });

  it("B25: retainTasks \"failed\" clears a SUCCESS instance's tasks, \"all\" keeps them, \"none\" clears a FAILED one's", async () => {
    const store = new MemoryStore();
    const c = await new Cluster({ processors: { good: job(5, 0), bad: job(5, 1) }, store }).start();
    const count = async (id: string) => (await c.master.tasks(id, { limit: 1000 }))!.tasks.length;
    const a = await c.run("good");
    expect([a.status, a.retainUntil, await count(a.instanceId)]).toEqual(["SUCCESS", null, 0]);
    const b = await c.run("good", null, { retainTasks: "all", retainFor: "1h" });
    expect([b.status, b.retainUntil, await count(b.instanceId)]).toEqual(["SUCCESS", b.finishedAt! + 3_600_000, 6]);
    const d = await c.run("bad", null, { retainTasks: "none" });
    expect([d.status, d.retainUntil, await count(d.instanceId)]).toEqual(["FAILED", null, 0]);
    c.close();
  });

  it("B25: tasks kept past retainFor are swept; the record and its counters stay", async () => {
    const store = new MemoryStore();
    const c = await new Cluster({ processors: { bad: job(5, 1) }, store }).start();
    const v = await c.run("bad", null, { retainFor: "10m" });
    expect((await c.master.tasks(v.instanceId))!.tasks).toHaveLength(6);
    await c.clock.advance(9 * 60_000);
    expect((await c.master.tasks(v.instanceId))!.tasks).toHaveLength(6);
    await c.clock.advance(2 * 60_000); // the master sweeps every minute
    expect((await c.master.tasks(v.instanceId))!.tasks).toHaveLength(0);
    const after = (await c.master.get(v.instanceId))!;
    expect([after.status, after.retainUntil, after.failedCount]).toEqual(["FAILED", null, 1]);
    expect(after.progress!.names.T).toMatchObject({ total: 5, failed: 1 });
    c.close();
  });

  it("B25: a running instance's tasks show its live state: a task running on a worker is RUNNING there", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: job(4, 0, gate) } }).start();
    const id = await c.master.submit({ processor: "job" });
    await c.clock.advance(1000);
    const running = (await c.master.tasks(id, { status: "RUNNING" }))!;
    expect(running.tasks.length).toBeGreaterThan(0);
    for (const t of running.tasks) expect(t.worker).toMatch(/#\d+$/);
    gate.open();
    expect((await c.finish(id)).status).toBe("SUCCESS");
    c.close();
  });

  it("B25: a bad query names the field; an unknown instance is null", async () => {
    const c = await new Cluster({ processors: { job: job(2, 0) } }).start();
    const v = await c.run("job");
    await expect(c.master.tasks(v.instanceId, { status: "DONE" })).rejects.toThrow(/^status: Expected one of INIT, PULLED, RUNNING, SUCCESS, FAILED/);
    await expect(c.master.tasks(v.instanceId, { limit: 1001 })).rejects.toThrow(/^limit:/);
    await expect(c.master.tasks(v.instanceId, { cursor: "nope" })).rejects.toThrow(/^cursor:/);
    expect(await c.master.tasks("no-such-instance")).toBeNull();
    c.close();
  });
});
