// B26: POST /api/instances/:id/retry — a FAILED instance runs again over its
// failed tasks only, and reduce reads every result; what cannot be retried
// is refused with 409 and the reason, in words a user can act on.
import { describe, it, expect, afterAll, beforeAll } from "vitest";
import { startHttpCluster } from "./cluster.ts";
import { defineMapReduce } from "../../src/index.ts";
import { InstanceViewSchema } from "../../src/http/view-schemas.ts";

/** Runs of each task, by instance and task id: what the processor saw, not what the master says. */
const runs = new Map<string, number>();
/** Leaves that wait for `release` before they return (an instance kept RUNNING). */
let release: () => void = () => undefined;
let held = new Promise<void>((r) => { release = r; });

type Params = { n: number; fail?: number[]; failRuns?: number; hold?: boolean };

const flaky = defineMapReduce<Params>({
  async process(ctx) {
    const key = `${ctx.instanceId}/${ctx.taskId}`;
    const run = (runs.get(key) ?? 0) + 1;
    runs.set(key, run);
    if (ctx.isRoot) {
      await ctx.map(Array.from({ length: ctx.params.n }, (_, i) => i), "LEAF");
      return { ok: true };
    }
    if (ctx.params.hold) await held;
    const i = ctx.body as number;
    if (ctx.params.fail?.includes(i) && run <= (ctx.params.failRuns ?? Infinity)) throw new Error(`leaf ${i} failed run ${run}`);
    return { ok: true, result: i * 10 };
  },
  async reduce(ctx) {
    let sum = 0, ok = 0, failed = 0;
    for await (const r of ctx.results) {
      if (r.name !== "LEAF") continue;
      if (r.status === "SUCCESS") { sum += r.result as number; ok++; } else failed++;
    }
    return { ok: true, result: { sum, ok, failed } };
  },
});

let cluster: Awaited<ReturnType<typeof startHttpCluster>>;
beforeAll(async () => {
  cluster = await startHttpCluster({ workers: 1, processors: { flaky }, sweepMs: 20 });
});
afterAll(async () => { release(); await cluster?.stop(); });

const retry = (id: string, body = "{}") => fetch(`${cluster.base}/api/instances/${encodeURIComponent(id)}/retry`, { method: "POST", headers: { "content-type": "application/json" }, body });
const runsOf = (id: string) => Object.fromEntries([...runs].filter(([k]) => k.startsWith(`${id}/`)).map(([k, n]) => [k.slice(id.length + 1), n]));

async function failed(params: Params, settings: Record<string, unknown> = {}): Promise<string> {
  const id = await cluster.master.submit({ processor: "flaky", params, settings });
  const v = await cluster.master.waitFor(id);
  expect(v.status).toBe("FAILED");
  return id;
}

describe("B26 retry over HTTP", () => {
  it("B26: a FAILED instance retried reruns only its failed tasks, reduce reads every result, and it ends SUCCESS when they succeed the second time", async () => {
    const id = await failed({ n: 20, fail: [3, 7, 15], failRuns: 1 });
    const before = (await cluster.master.get(id))!;
    expect(before).toMatchObject({ failedCount: 3, serialNum: 1 });
    expect(before.errors.map((e) => [e.taskId, e.message])).toEqual([["r.0.3", "leaf 3 failed run 1"], ["r.0.7", "leaf 7 failed run 1"], ["r.0.15", "leaf 15 failed run 1"]]);
    expect(Object.values(runsOf(id)).every((n) => n === 1)).toBe(true);

    const res = await retry(id);
    expect(res.status).toBe(200);
    const v = InstanceViewSchema.parse(await res.json());
    expect(v).toMatchObject({ instanceId: id, status: "RUNNING", serialNum: 2, failedCount: 0, errors: [], retainUntil: null });
    const done = await cluster.master.waitFor(id);
    expect([done.status, done.serialNum, done.failedCount]).toEqual(["SUCCESS", 2, 0]);
    expect(done.result).toEqual({ sum: 10 * (19 * 20) / 2, ok: 20, failed: 0 });
    // The root and the 17 leaves that had succeeded ran once; the three that failed ran once more.
    const counted = runsOf(id);
    expect(Object.keys(counted)).toHaveLength(21);
    expect(Object.entries(counted).filter(([, n]) => n !== 1)).toEqual([["r.0.3", 2], ["r.0.7", 2], ["r.0.15", 2]]);
  });

  it("B26: a retry that fails again ends FAILED with the new errors, and may be retried again", async () => {
    const id = await failed({ n: 5, fail: [1], failRuns: 2 });
    expect((await retry(id)).status).toBe(200);
    const again = await cluster.master.waitFor(id);
    expect([again.status, again.serialNum, again.failedCount, again.errors.map((e) => e.message)]).toEqual(["FAILED", 2, 1, ["leaf 1 failed run 2"]]);
    expect((await retry(id)).status).toBe(200);
    const done = await cluster.master.waitFor(id);
    expect([done.status, done.serialNum, done.result]).toEqual(["SUCCESS", 3, { sum: 100, ok: 5, failed: 0 }]);
    expect(runsOf(id)["r.0.1"]).toBe(3);
  });

  it("B26: refused with 409 and the reason: RUNNING, SUCCESS, recurring, tasks not kept (retainTasks \"none\", or swept after retainFor), processor not loaded; 404 unknown", async () => {
    const expect409 = async (id: string, error: string, field = "id") => {
      const res = await retry(id);
      expect(res.status, error).toBe(409);
      expect(await res.json()).toEqual({ error, field });
    };
    const running = await cluster.master.submit({ processor: "flaky", params: { n: 3, hold: true } });
    await expect409(running, `instance ${running} is RUNNING: only an instance that ended FAILED can retry its failed tasks`);
    release();
    expect((await cluster.master.waitFor(running)).status).toBe("SUCCESS");
    await expect409(running, `instance ${running} ended SUCCESS: it has no failed task to retry`);

    const recurring = await failed({ n: 2, fail: [0] }, { every: "50ms", maxCycles: 1 });
    await expect409(recurring, `instance ${recurring} is recurring (every 50 ms): each cycle runs anew; submit it again instead`);
    const none = await failed({ n: 2, fail: [0] }, { retainTasks: "none" });
    await expect409(none, `instance ${none} no longer has its tasks: it ran with retainTasks "none", which clears them at the end; "failed" (the default) or "all" keeps them`);
    const swept = await failed({ n: 2, fail: [0] }, { retainFor: "10ms" });
    // The master sweeps every 20 ms here.
    for (let t = 0; (await cluster.master.get(swept))!.retainUntil !== null; t++) {
      if (t === 100) throw new Error("the instance's tasks were not swept within 2 s");
      await new Promise((r) => setTimeout(r, 20));
    }
    await expect409(swept, `instance ${swept} no longer has its tasks: they were swept once retainFor (10 ms) had passed; a longer retainFor keeps them longer`);

    // An instance of a processor this master has not loaded (another master ran it on the same store).
    const fence = await cluster.store.createInstance({ instanceId: "elsewhere", processor: "gone", settings: {}, params: null, serialNum: 1, createdAt: Date.now() }, "another-master");
    await cluster.store.updateInstance(fence, { status: "FAILED", result: "1 of 2 tasks failed", finishedAt: Date.now(), failedCount: 1, retainUntil: Date.now() + 60_000 });
    await expect409("elsewhere", 'processor: Expected a loaded processor (flaky), got "gone"', "processor");

    const unknown = await retry("no-such-instance");
    expect([unknown.status, await unknown.json()]).toEqual([404, { error: "unknown instance: no-such-instance", field: "id" }]);
    expect((await retry(none, "[1]")).status).toBe(400);
    expect((await retry(none, "{oops")).status).toBe(400);
  });
});
