// X2 nothing lost: a full queue, a failed send, a dead worker (or one that
// comes back) lose no sub-task. Each test checks the exact final counters and
// that every leaf's result reached reduce.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { Gate } from "./processors.ts";
import { instrumentStore, recordRequests } from "./recording.ts";
import { defineMap, defineMapReduce, type JsonValue } from "../../src/index.ts";
import { MemoryStore } from "../../src/store/index.ts";
import { tasksOf } from "../../src/protocol/columns.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * ROOT maps `parents` P tasks, then (with `second`) waits on the gate and maps
 * `second` more P tasks; each P maps `leaves` LEAF tasks whose bodies are
 * p·1000 + i. A LEAF waits on the gate (when one is given) and returns its
 * body. Reduce returns the sorted LEAF results it read.
 */
function fanOut(gate: Gate | null, opts: { second?: number } = {}) {
  return defineMapReduce<{ parents: number; leaves: number; [k: string]: JsonValue }>({
    async process(ctx) {
      const { parents, leaves } = ctx.params;
      if (ctx.isRoot) {
        await ctx.map(range(parents), "P");
        if (opts.second && gate) {
          const r = await gate.wait(ctx);
          if (!r.ok) return r;
          await ctx.map(range(opts.second).map((i) => parents + i), "P");
        }
        return { ok: true };
      }
      if (ctx.taskName === "P") {
        const p = ctx.body as number;
        await ctx.map(range(leaves).map((i) => p * 1000 + i), "LEAF");
        return { ok: true };
      }
      if (gate) {
        const r = await gate.wait(ctx);
        if (!r.ok) return r;
      }
      return { ok: true, result: ctx.body };
    },
    async reduce(ctx) {
      const leaves: number[] = [];
      for await (const r of ctx.results) if (r.name === "LEAF" && r.status === "SUCCESS") leaves.push(r.result as number);
      return { ok: true, result: leaves.sort((a, b) => a - b) };
    },
  });
}

/** Every LEAF body of a run with `parents` P tasks of `leaves` leaves. */
function allLeaves(parents: number, leaves: number): number[] {
  return range(parents).flatMap((p) => range(leaves).map((i) => p * 1000 + i));
}

/** Tasks a worker incarnation holds (pulled or running). */
function heldBy(workers: Record<string, { pulled: number; running: number }>, key: string): number {
  const w = workers[key];
  return w ? w.pulled + w.running : 0;
}

const done = (n: number) => ({ total: n, init: 0, pulled: 0, running: 0, success: n, failed: 0 });

/** The instance ended SUCCESS with exact counters, and reduce read every leaf once. */
function expectNothingLost(v: { status: string; result: JsonValue; progress: { names: Record<string, unknown>; workers: Record<string, { pulled: number; running: number }> } | null }, parents: number, leaves: number) {
  expect(v.status).toBe("SUCCESS");
  expect(v.progress!.names).toEqual({ ROOT: done(1), P: done(parents), LEAF: done(parents * leaves), REDUCE: done(1) });
  for (const w of Object.values(v.progress!.workers)) expect(w.pulled + w.running).toBe(0);
  expect(v.result).toEqual(allLeaves(parents, leaves));
}

/** Counts per worker id (summed over incarnations) from the per-worker counters. */
function totalsByWorkerId(workers: Record<string, { total: number }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, w] of Object.entries(workers)) out[key.split("#")[0]!] = (out[key.split("#")[0]!] ?? 0) + w.total;
  return out;
}

describe("X2 nothing lost: a full queue", () => {
  it("X2: a queue far smaller than the fan-out loses no task (push, round-robin and worker-load)", async () => {
    for (const route of ["round-robin", "worker-load"] as const) {
      const c = await new Cluster({ processors: { job: fanOut(null) }, workers: 2 }).start();
      const v = await c.run("job", { parents: 6, leaves: 50 }, { queueSize: 4, pageSize: 2, consumerSize: 2, route });
      expectNothingLost(v, 6, 50);
      c.close();
    }
  });

  it("X2: in pull mode, parents that hold every slot while their map waits on a full queue do not deadlock", async () => {
    // One worker, one slot each and at most two tasks out: every slot ends up held by a P whose
    // map found the queue full. map returns (its batch is stored) instead of waiting for room
    // that only a free slot could make.
    for (const s of [{ consumerSize: 1 }, { consumerSize: 2, globalConsumerSize: 2 }]) {
      const c = await new Cluster({ processors: { job: fanOut(null) }, workers: 1 }).start();
      const v = await c.run("job", { parents: 4, leaves: 6 }, { dispatchMode: "pull", queueSize: 2, execOnMaster: false, ...s });
      expectNothingLost(v, 4, 6);
      c.close();
    }
  });
});

describe("X2 nothing lost: a map waiting on a full queue", () => {
  it("X2: in pull mode, a retried ROOT queued behind a parent that holds the own worker's only slot does not deadlock it", async () => {
    // ROOT fails once and comes back to the master's own worker (B21) while P holds that worker's
    // one slot; globalConsumerSize is then used up (P and ROOT), so nothing more is pulled. When P's
    // map finds the queue full, waiting for room would never end: ROOT waits behind P, P in map.
    const gate = new Gate();
    const job = defineMapReduce<{ [k: string]: JsonValue }>({
      async process(ctx) {
        if (ctx.isRoot) {
          await ctx.map([0], "P");
          if (ctx.attempt === 0) return { ok: false, result: "first run fails" };
          return { ok: true };
        }
        if (ctx.taskName === "P") {
          await gate.wait(ctx);
          await ctx.map(range(6), "LEAF");
        }
        return { ok: true, result: ctx.body };
      },
      reduce: async (ctx) => {
        let n = 0;
        for await (const r of ctx.results) if (r.name === "LEAF" && r.status === "SUCCESS") n++;
        return { ok: true, result: n };
      },
    });
    const c = await new Cluster({ processors: { job }, workers: 0 }).start();
    const id = await c.master.submit({
      processor: "job",
      settings: { dispatchMode: "pull", consumerSize: 1, globalConsumerSize: 2, queueSize: 2, taskMaxAttempts: 2, taskRetryDelay: 50, taskRetryBackoff: "fixed" },
    });
    await c.clock.until(() => gate.waiting.includes("r.0.0"));
    await c.clock.advance(100); // ROOT's retry is due: handed to the own worker, behind P
    expect(c.master.progress(id)!.names.ROOT).toMatchObject({ pulled: 1, running: 0 });
    gate.open();
    const v = await c.finish(id, 60_000);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toBe(6);
    c.close();
  });
});

describe("X2 nothing lost: a failed send", () => {
  for (const [fault, how] of [["refused", "refused connection"], ["server", "5xx"], ["hang", "timeout"]] as const) {
    it(`X2: a batch whose send fails (${how}) goes back to INIT and runs on another worker`, async () => {
      const gate = new Gate();
      const c = await new Cluster({ processors: { job: fanOut(gate) }, workers: 2 }).start();
      const rec = recordRequests(c.network, c.workers);
      const bad = c.workers[0]!;
      c.network.fault(bad.address, fault);
      const id = await c.master.submit({ processor: "job", params: { parents: 3, leaves: 8 }, settings: { pageSize: 4, execOnMaster: false } });
      await c.clock.advance(2500); // past the request timeout (2 s) for the hanging send
      // Every batch sent to the bad worker was sent again elsewhere, one attempt later.
      const toBad = rec.ofType("start").filter((s) => s.to === bad.address).flatMap((s) => tasksOf(s.msg.tasks).map((t) => t.taskId));
      expect(toBad.length).toBeGreaterThan(0);
      const again = new Set(rec.ofType("start").filter((s) => s.to !== bad.address).flatMap((s) => tasksOf(s.msg.tasks).filter((t) => t.attempt === 1).map((t) => t.taskId)));
      expect(toBad.filter((t) => !again.has(t))).toEqual([]);
      gate.open();
      const v = await c.finish(id);
      expectNothingLost(v, 3, 8);
      expect(totalsByWorkerId(v.progress!.workers)[bad.workerId] ?? 0).toBe(0); // nothing counted on it
      c.network.fault(bad.address, undefined);
      c.close();
    });
  }

  it("X2: a worker made invalid by one failed send still has its earlier tasks failed over when it dies", async () => {
    // w1 runs tasks of the first wave; a send of the second wave to it is refused (it is then
    // invalid for the instance); then it dies. Its first-wave tasks must not wait for it forever.
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: fanOut(gate, { second: 2 }) }, workers: 2 }).start();
    const w1 = c.workers[0]!;
    const id = await c.master.submit({ processor: "job", params: { parents: 2, leaves: 4 }, settings: { pageSize: 2, execOnMaster: false, livenessTimeoutMs: 3000, heartbeatMs: 500 } });
    await c.clock.advance(1);
    const w1Key = Object.keys(c.master.progress(id)!.workers).find((k) => k.startsWith(`${w1.workerId}#`))!;
    const held = c.master.progress(id)!.workers[w1Key]!;
    expect(held.pulled + held.running).toBeGreaterThan(0);
    c.network.fault(w1.address, "refused");
    gate.release("r"); // ROOT maps the second wave; the send to w1 fails
    await c.clock.advance(1);
    c.network.fault(w1.address, "hang");
    w1.close();
    await c.clock.advance(5000);
    expect(heldBy(c.master.progress(id)!.workers, w1Key)).toBe(0); // failed over, not waiting for it
    gate.open();
    const v = await c.finish(id, 60_000);
    expectNothingLost(v, 4, 4);
    c.close();
  });
});

describe("X2 nothing lost: a dead worker", () => {
  for (const dispatchMode of ["push", "pull"] as const) {
    it(`X2: a worker that dies holding tasks loses none; back as a new incarnation it takes new ones (${dispatchMode})`, async () => {
      const gate = new Gate();
      const c = await new Cluster({ processors: { job: fanOut(gate, { second: 3 }) }, workers: 2 }).start();
      const id = await c.master.submit({ processor: "job", params: { parents: 3, leaves: 10 }, settings: { dispatchMode, pageSize: 3, consumerSize: 3, execOnMaster: false, livenessTimeoutMs: 3000, heartbeatMs: 500 } });
      await c.clock.advance(1);
      const dead = c.workers[0]!;
      const deadKey = Object.keys(c.master.progress(id)!.workers).find((k) => k.startsWith(`${dead.workerId}#`))!;
      expect(c.master.progress(id)!.workers[deadKey]!.running).toBeGreaterThan(0);
      c.network.fault(dead.address, "hang");
      dead.close();
      await c.clock.advance(4000); // declared dead: its unfinished tasks back to INIT, then elsewhere
      expect(heldBy(c.master.progress(id)!.workers, deadKey)).toBe(0);
      const back = c.addWorker(dead.workerId); // the same id, a new process
      await back.join("master");
      gate.release("r"); // ROOT maps a second wave
      gate.open();
      const v = await c.finish(id, 60_000);
      expectNothingLost(v, 6, 10);
      const backKey = Object.keys(v.progress!.workers).find((k) => k.startsWith(`${dead.workerId}#`) && k !== deadKey);
      expect(v.progress!.workers[backKey!]?.success ?? 0).toBeGreaterThan(0);
      c.close();
    });
  }

  for (const dispatchMode of ["push", "pull"] as const) {
    it(`X2: a worker handed tasks while it is still registering takes them as its new incarnation; nothing fails (${dispatchMode})`, async () => {
      // w1 has one slot, busy; the rest wait. When w9 registers, the master sends it a batch (push)
      // or tells it to pull (pull) before w9 has read its registration reply.
      const gate = new Gate();
      const c = await new Cluster({ processors: { job: fanOut(gate) }, workers: 1 }).start();
      const id = await c.master.submit({ processor: "job", params: { parents: 1, leaves: 6 }, settings: { dispatchMode, route: "worker-load", consumerSize: 1, execOnMaster: false } });
      await c.clock.advance(1);
      const late = c.addWorker("w9");
      await late.join("master");
      await c.clock.advance(1);
      const p = c.master.progress(id)!;
      expect(p.status).toBe("RUNNING");
      const lateKey = Object.keys(p.workers).find((k) => k.startsWith("w9#"));
      expect(lateKey && p.workers[lateKey]!.running).toBe(1);
      gate.open();
      const v = await c.finish(id, 60_000);
      expectNothingLost(v, 1, 6);
      c.close();
    });
  }

  it("X2: in pull mode with execOnMaster off, when every other worker is dead the master's own worker pulls the rest", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: fanOut(gate) }, workers: 2 }).start();
    const id = await c.master.submit({ processor: "job", params: { parents: 2, leaves: 6 }, settings: { dispatchMode: "pull", execOnMaster: false, livenessTimeoutMs: 3000, heartbeatMs: 500 } });
    await c.clock.advance(1);
    for (const w of c.workers) {
      c.network.fault(w.address, "hang");
      w.close();
    }
    gate.open();
    const v = await c.finish(id, 60_000);
    expectNothingLost(v, 2, 6);
    expect(totalsByWorkerId(v.progress!.workers)["master-own"]).toBeGreaterThan(2); // more than ROOT and REDUCE
    c.close();
  });
});

describe("X2 nothing lost: a refused write", () => {
  it("X2: the last report's result refused by the store for good fails the instance, though every counter is final", async () => {
    // One task, ROOT: its report is the last, so the instance is already deciding its outcome when the
    // write of its result fails for the third time. Ending SUCCESS would lose that result.
    const only = defineMap({ async process() { return { ok: true, result: "kept?" }; } });
    const s = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { only }, store: s.store, workers: 1 }).start();
    s.failing.set("updateStatuses", 3);
    const v = await c.run("only");
    expect(v.status).toBe("FAILED");
    expect(v.result).toMatch(/^persistence failed: injected updateStatuses failure/);
    expect(s.calls.get("updateStatuses")).toBe(3);
    c.close();
  });

  it("X2: a map insert the store refuses for good fails the instance \"persistence failed\", never SUCCESS", async () => {
    const s = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { fanOut: fanOut(null) }, store: s.store, workers: 1 }).start();
    const id = await c.master.submit({ processor: "fanOut", params: { parents: 2, leaves: 3 } });
    // ROOT's own row went in at submit; its map is the next insert.
    s.failing.set("insertTasks", 3);
    const v = await c.finish(id);
    expect(v.status).toBe("FAILED");
    expect(v.result).toMatch(/^persistence failed: injected insertTasks failure/);
    expect((await c.store.getInstance(id))!.status).toBe("FAILED");
    c.close();
  });

  it("X2: the instance record with the reduce result refused once is written again: SUCCESS with its result stored", async () => {
    const s = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { fanOut: fanOut(null) }, store: s.store, workers: 1 }).start();
    const id = await c.master.submit({ processor: "fanOut", params: { parents: 2, leaves: 3 } });
    s.failing.set("updateInstance", 1);
    const v = await c.finish(id);
    expect(v.status).toBe("SUCCESS");
    const rec = (await c.store.getInstance(id))!;
    expect([rec.status, rec.result]).toEqual(["SUCCESS", allLeaves(2, 3)]);
    c.close();
  });

  it("X2: the instance record with the reduce result refused for good: the store says FAILED \"persistence failed\", never SUCCESS", async () => {
    const s = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { fanOut: fanOut(null) }, store: s.store, workers: 1 }).start();
    const id = await c.master.submit({ processor: "fanOut", params: { parents: 2, leaves: 3 } });
    s.failing.set("updateInstance", 3);
    const v = await c.finish(id);
    expect(v.status).toBe("FAILED");
    expect(v.result).toMatch(/^persistence failed: injected updateInstance failure/);
    const rec = (await c.store.getInstance(id))!;
    expect(rec.status).toBe("FAILED");
    expect(rec.result).toMatch(/^persistence failed: injected updateInstance failure/);
    c.close();
  });

  it("X2: clearing a finished instance's tasks refused for good leaves the rows, not the outcome: SUCCESS stays", async () => {
    const s = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { fanOut: fanOut(null) }, store: s.store, workers: 1 }).start();
    const id = await c.master.submit({ processor: "fanOut", params: { parents: 2, leaves: 3 } });
    s.failing.set("clearTasks", 3);
    const v = await c.finish(id);
    expect(v.status).toBe("SUCCESS");
    expect((await c.store.getInstance(id))!.status).toBe("SUCCESS");
    expect(s.calls.get("clearTasks")).toBe(3);
    c.close();
  });
});
