import { describe, it, expect } from "vitest";
import { Deque } from "../../src/runtime/deque.ts";
import { Cluster } from "../master/harness.ts";
import { Gate, gated } from "../master/processors.ts";

describe("failed-over handles", () => {
  it("the deque keeps order through pushes, shifts and put-backs, at any size", () => {
    const d = new Deque<number>();
    const many = Uint32Array.from({ length: 300_000 }, (_, i) => i);
    d.pushAll(many); // no argument spreading: 300k at once is fine
    expect(d.size).toBe(300_000);
    for (let i = 0; i < 200_000; i++) expect(d.shift()).toBe(i);
    d.unshiftAll([7, 8]);
    expect([d.shift(), d.shift(), d.shift()]).toEqual([7, 8, 200_000]);
    expect(d.size).toBe(99_999);
    expect(d.removeFirst((x) => x === 200_005)).toBe(200_005);
    expect(d.drain().slice(0, 5)).toEqual([200_001, 200_002, 200_003, 200_004, 200_006]);
    expect(d.size).toBe(0);
    expect(d.shift()).toBeUndefined();
  });

  it("B15: a dead worker holding 150,000 tasks has them all failed over", { timeout: 120_000 }, async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2 }).start();
    const id = await c.master.submit({ processor: "job", params: { n: 300_000 }, settings: { execOnMaster: false, pageSize: 50_000, queueSize: 300_000, livenessTimeoutMs: 3000, heartbeatMs: 500 } });
    await c.clock.advance(1);
    const dead = c.workers[0]!;
    const key = Object.keys(c.master.progress(id)!.workers).find((k) => k.startsWith(dead.workerId))!;
    expect(c.master.progress(id)!.workers[key]!.total).toBe(150_000);
    c.network.fault(dead.address, "hang");
    dead.close();
    gate.open();
    const v = await c.finish(id);
    expect(v.status).toBe("SUCCESS");
    expect(v.progress!.names.CHILD).toEqual({ total: 300_000, init: 0, pulled: 0, running: 0, success: 300_000, failed: 0 });
    c.close();
  });
});
