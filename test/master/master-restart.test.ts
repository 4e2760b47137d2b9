// Master restart (X3, in process): a new master on the same store resumes a running
// instance exactly, and the master it replaced can no longer write.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares, sumOfSquares } from "./processors.ts";
import { Master, Worker } from "../../src/index.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";

describe("X3 master restart (in process)", () => {
  it("X3: a new master on the same store resumes a running instance: counters rebuilt, tasks failed over, no child duplicated", async () => {
    const store = new MemoryStore();
    const c = await new Cluster({ processors: { sumSquares }, store, workers: 2 }).start();
    const id = await c.master.submit({ processor: "sumSquares", params: { n: 1500, ranges: 6 }, settings: { dispatchSpeed: "300/s", pageSize: 20, livenessTimeoutMs: 2000 } });
    await c.clock.advance(4000);
    const mid = c.master.progress(id)!;
    expect(mid.names.NUM!.success).toBeGreaterThan(0);
    expect(mid.names.NUM!.success).toBeLessThan(1500);

    // The master goes away mid-instance; its workers stay.
    c.master.close();
    c.ownWorker.close();
    const own = new Worker({ workerId: "master-own", address: "master/worker", transport: c.network, clock: c.clock, processors: { sumSquares } });
    const master = new Master({ store, transport: c.network, clock: c.clock, address: "master", ownWorker: own, masterId: "master-2", requestTimeoutMs: 2000 });
    await master.start();
    const resumed = master.progress(id)!;
    expect(resumed.names.NUM!.success).toBe((await store.countByStatus(id)).find((x) => x.name === "NUM" && x.status === 4)?.count ?? 0);
    for (const n of Object.values(resumed.names)) expect(n.total).toBe(n.init + n.pulled + n.running + n.success + n.failed);

    let done: Awaited<ReturnType<Master["waitFor"]>> | undefined;
    void master.waitFor(id).then((v) => { done = v; });
    await c.clock.until(() => done !== undefined);
    expect(done!.status).toBe("SUCCESS");
    expect(done!.result).toEqual({ sum: sumOfSquares(1500), count: 1500 });
    expect(done!.progress!.names.NUM).toEqual({ total: 1500, init: 0, pulled: 0, running: 0, success: 1500, failed: 0 });
    expect(done!.progress!.names.RANGE!.total).toBe(6);
    expect((await store.getInstance(id))!.owner).toBe("master-2");
    master.close();
    own.close();
    for (const w of c.workers) w.close();
  });

  it("X3: the deposed master can no longer write (fencing)", async () => {
    const store = new MemoryStore();
    const c = await new Cluster({ processors: { sumSquares }, store, workers: 1 }).start();
    const id = await c.master.submit({ processor: "sumSquares", params: { n: 200, ranges: 2 }, settings: { dispatchSpeed: "50/s" } });
    await c.clock.advance(1000);
    const taken = await store.acquireInstance(id, "someone-else");
    expect(taken.token).toBe(2);
    await c.clock.advance(10_000);
    // The old master stopped managing the instance as soon as a write was refused.
    expect(c.master.progress(id)).toBeNull();
    const rec = (await store.getInstance(id))!;
    expect(rec.status).toBe("RUNNING");
    expect(rec.owner).toBe("someone-else");
    c.close();
  });
});

