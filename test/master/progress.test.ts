// Progress (B13): counters per task name and per worker pushed to watchers while an
// instance runs, and kept in its record after its tasks are cleared.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { Gate, gated } from "./processors.ts";
import { startGated } from "./start-gated.ts";

describe("B13 progress", () => {
  it("B13: progress per name and per worker is pushed to watchers while running and kept after the tasks are cleared", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2 }).start();
    const { id } = await startGated(c, 10, { progressMs: 500 });
    const seen: number[] = [];
    c.master.watch(id, (p) => seen.push(p.names.CHILD?.success ?? 0));
    await c.clock.advance(1000);
    gate.release("r.0.0");
    await c.clock.advance(1000);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.at(-1)).toBe(1);
    gate.open();
    const v = await c.finish(id);
    expect(seen.at(-1)).toBe(10);
    const rec = await c.store.getInstance(id);
    expect(rec!.progress!.names.CHILD).toEqual({ total: 10, init: 0, pulled: 0, running: 0, success: 10, failed: 0 });
    expect(Object.values(rec!.progress!.workers).reduce((a, w) => a + w.success, 0)).toBe(11);
    expect(v.progress).toEqual(rec!.progress);
    expect(await c.store.getTask(id, "r.0.0")).toBeNull(); // B18: tasks cleared
    c.close();
  });
});
