// Pull dispatch (B4): what a worker's pull is given — at most pageSize, never past
// globalConsumerSize, nothing for a stale serialNum.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { Gate, gated } from "./processors.ts";
import { recordRequests } from "./recording.ts";
import { refOf } from "./identities.ts";

describe("B4 pull dispatch", () => {
  it("B4: a pull returns at most pageSize tasks and none past globalConsumerSize", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 3, workerSlots: 50 }).start();
    const rec = recordRequests(c.network, c.workers);
    const id = await c.master.submit({ processor: "job", params: { n: 60 }, settings: { dispatchMode: "pull", pageSize: 4, consumerSize: 50, globalConsumerSize: 9, execOnMaster: false } });
    let peak = 0;
    for (let i = 0; i < 30; i++) {
      await c.clock.advance(100);
      const p = c.master.progress(id);
      if (p?.names.CHILD) peak = Math.max(peak, p.names.CHILD.pulled + p.names.CHILD.running);
      if (i % 3 === 2) gate.releaseAll();
    }
    gate.releaseAll();
    const v = await c.finish(id);
    expect(v.status).toBe("SUCCESS");
    expect(peak).toBeLessThanOrEqual(9);
    expect(peak).toBeGreaterThan(0);
    expect(rec.ofType("pull").every((p) => p.msg.max <= 50)).toBe(true);
    c.close();
  });

  it("B4: a pull with a stale serialNum gets nothing", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 1 }).start();
    const rec = recordRequests(c.network, c.workers);
    const id = await c.master.submit({ processor: "job", params: { n: 5 }, settings: { dispatchMode: "pull" } });
    await c.clock.advance(1);
    const w = c.workers[0]!;
    const reply = await c.network.request("master", { type: "pull", worker: refOf(rec, w.workerId)!, instanceId: id, serialNum: 0, max: 5 });
    expect(reply.ok).toBe(false);
    gate.releaseAll();
    await c.finish(id);
    c.close();
  });
});
