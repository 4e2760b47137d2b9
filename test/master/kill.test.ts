// Kill (B17): killing an instance or one task aborts what runs and fails what is unfinished.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { Gate, gated } from "./processors.ts";

describe("B17 kill", () => {
  it("B17: killing an instance aborts running tasks; every unfinished task FAILED, instance FAILED with the reason", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate, { reduce: true }) }, workers: 2 }).start();
    const id = await c.master.submit({ processor: "job", params: { n: 40 }, settings: { consumerSize: 2, execOnMaster: false } });
    await c.clock.advance(1);
    gate.release("r.0.0");
    await c.clock.advance(1);
    const running = gate.started.filter((s) => s.taskName === "CHILD" && s.taskId !== "r.0.0");
    expect(await c.master.kill(id, "operator said so")).toBe(true);
    const v = await c.finish(id);
    expect(v.status).toBe("FAILED");
    expect(v.result).toBe("killed: operator said so");
    expect(v.progress!.names.CHILD).toEqual({ total: 40, init: 0, pulled: 0, running: 0, success: 1, failed: 39 });
    expect(v.progress!.names.REDUCE).toBeUndefined(); // no reduce after a kill
    expect(running.length).toBeGreaterThan(0);
    expect(running.every((ctx) => ctx.signal.aborted)).toBe(true);
    c.close();
  });

  it("B17: killing one task aborts it on its worker; it fails, the rest go on", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 1 }).start();
    const id = await c.master.submit({ processor: "job", params: { n: 3 } });
    await c.clock.advance(1);
    expect(await c.master.killTask(id, "r.0.1")).toBe(true);
    await c.clock.advance(1);
    expect(gate.started.find((s) => s.taskId === "r.0.1")!.signal.aborted).toBe(true);
    gate.open();
    const v = await c.finish(id);
    expect(v.progress!.names.CHILD).toMatchObject({ success: 2, failed: 1 });
    expect(await c.master.killTask(id, "r.0.0")).toBe(false); // finished instance
    c.close();
  });
});
