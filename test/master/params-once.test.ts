// Params travel once per worker pool (M6), and a worker without the pool asks for them (M7).
import { describe, it, expect, afterEach } from "vitest";
import { defineMapReduce, type JsonValue } from "../../src/index.ts";
import { Cluster } from "./harness.ts";
import { credentialOf } from "./identities.ts";
import { recordRequests } from "./recording.ts";
import type { StartBatch } from "../../src/protocol/messages.ts";
import { tasksOf } from "../../src/protocol/columns.ts";

interface FanParams { blob: string; first: number; second: number; [k: string]: JsonValue }

/** Runs per task id, over every test's processors. */
const runs = new Map<string, number>();
let gate: Promise<void> = Promise.resolve();

/**
 * ROOT maps `first` LEAF tasks, waits for `gate`, then maps `second` more; each LEAF
 * returns the length of the params' blob it sees; reduce sums them.
 */
const fan = defineMapReduce<FanParams>({
  async process(ctx) {
    runs.set(ctx.taskId, (runs.get(ctx.taskId) ?? 0) + 1);
    if (ctx.isRoot) {
      await ctx.map(Array.from({ length: ctx.params.first }, (_, i) => i), "LEAF");
      await gate;
      await ctx.map(Array.from({ length: ctx.params.second }, (_, i) => i), "LEAF");
      return { ok: true };
    }
    return { ok: true, result: ctx.params.blob.length };
  },
  async reduce(ctx) {
    let sum = 0, n = 0;
    for await (const r of ctx.results) if (r.name === "LEAF" && r.status === "SUCCESS") { sum += r.result as number; n++; }
    return { ok: true, result: { sum, n } };
  },
});

let cluster: Cluster | undefined;
afterEach(() => { cluster?.close(); cluster = undefined; runs.clear(); gate = Promise.resolve(); });

/** Start batches of sub-tasks, per worker address, in the order sent. */
function leafBatches(sent: Array<{ to: string; msg: StartBatch }>) {
  return sent.filter((s) => tasksOf(s.msg.tasks).some((t) => t.name === "LEAF"));
}

describe("params once per worker pool", () => {
  it("M6: only the first start batch to each worker incarnation carries the params; every task still sees them", async () => {
    cluster = new Cluster({ processors: { fan }, workers: 2 });
    await cluster.start();
    const rec = recordRequests(cluster.network, cluster.workers);
    const blob = "p".repeat(100_000);
    const v = await cluster.run("fan", { blob, first: 300, second: 0 }, { pageSize: 10, execOnMaster: false });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: 300 * blob.length, n: 300 });
    const leaves = leafBatches(rec.ofType("start"));
    expect(leaves.length).toBeGreaterThanOrEqual(20);
    for (const to of new Set(leaves.map((s) => s.to))) {
      const mine = leaves.filter((s) => s.to === to);
      expect(mine[0]!.msg.instance.params, to).toEqual({ blob, first: 300, second: 0 });
      expect(mine.slice(1).every((s) => s.msg.instance.params === undefined), to).toBe(true);
    }
    // ROOT went to the master's own worker with them too.
    const root = rec.ofType("start").filter((s) => tasksOf(s.msg.tasks).some((t) => t.name === "ROOT"));
    expect(root.map((s) => s.msg.instance.params !== undefined)).toEqual([true]);
  });

  it("M6: a pull notice carries the params once, and the tasks pulled see them", async () => {
    cluster = new Cluster({ processors: { fan }, workers: 2 });
    await cluster.start();
    const rec = recordRequests(cluster.network, cluster.workers);
    const v = await cluster.run("fan", { blob: "abc", first: 50, second: 0 }, { dispatchMode: "pull", pageSize: 5, execOnMaster: false });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: 150, n: 50 });
    const notices = rec.ofType("notifyPull");
    expect(notices.length).toBeGreaterThanOrEqual(2);
    expect(notices.every((s) => s.msg.instance.params !== undefined)).toBe(true);
  });

  it("M7: a worker that freed its pool refuses a batch without params with params_needed; the master resends it with params, and no task is lost or runs twice", async () => {
    cluster = new Cluster({ processors: { fan }, workers: 2 });
    await cluster.start();
    const rec = recordRequests(cluster.network, cluster.workers);
    let open!: () => void;
    gate = new Promise<void>((r) => { open = r; });
    const id = await cluster.master.submit({ processor: "fan", params: { blob: "xy", first: 20, second: 20 }, settings: { pageSize: 5, execOnMaster: false } });
    let done = false;
    void cluster.master.waitFor(id).then(() => { done = true; });
    // The first 20 leaves run and end; then both workers drop their pools (as M9 would).
    await cluster.clock.until(() => [...runs.keys()].filter((k) => k !== "r").length === 20 && cluster!.workers.every((w) => w.running === 0));
    for (const w of cluster.workers) {
      expect(w.instances).toEqual([id]);
      await cluster.network.request(w.address, { type: "destroyPool", ...credentialOf(rec), instanceId: id });
      expect(w.instances).toEqual([]);
    }
    open();
    await cluster.clock.until(() => done);
    const v = await cluster.master.waitFor(id);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: 80, n: 40 });
    // Every task ran exactly once.
    expect(runs.size).toBe(41);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    // After the pools were dropped, a batch went without params, was refused, and went again with them.
    const later = leafBatches(rec.ofType("start")).slice(-8);
    const resent = later.filter((s, i) => s.msg.instance.params !== undefined && later.slice(0, i).some((p) => p.to === s.to && p.msg.instance.params === undefined
      && JSON.stringify(p.msg.tasks) === JSON.stringify(s.msg.tasks)));
    expect(resent.length).toBeGreaterThanOrEqual(1);
  });
});
