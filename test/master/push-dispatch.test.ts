// Push dispatch (B3): the master sends batches of at most pageSize to each worker,
// with at most `dispatchers` sends in flight, marks them PULLED in the counters, and records each batch
// in the store (B27) without marking its rows.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { Gate, gated } from "./processors.ts";
import { recordRequests } from "./recording.ts";
import { tasksOf } from "../../src/protocol/columns.ts";

describe("B3 push dispatch", () => {
  it("B3: batches of at most pageSize per worker, marked PULLED in the counters, one dispatch record each, dispatchers in flight", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 3 }).start();
    const rec = recordRequests(c.network, c.workers);
    const id = await c.master.submit({ processor: "job", params: { n: 100 }, settings: { pageSize: 7, dispatchers: 2, execOnMaster: false } });
    await c.clock.advance(1);
    const starts = rec.ofType("start").filter((s) => tasksOf(s.msg.tasks)[0]!.name === "CHILD");
    expect(starts.length).toBeGreaterThan(0);
    for (const s of starts) expect(s.msg.tasks.handles.length).toBeLessThanOrEqual(7);
    expect(rec.maxInFlight.get("start:CHILD")).toBeLessThanOrEqual(2);
    expect(starts.every((s) => s.to !== "master/worker")).toBe(true);
    const p = c.master.progress(id)!;
    expect(p.names.CHILD!.pulled + p.names.CHILD!.running).toBe(100);
    const row = await c.store.getTask(id, starts[0]!.msg.tasks.taskIds[0]!);
    expect([row!.status, row!.worker]).toEqual([1, null]); // no dispatch mark on the row
    // ROOT's record (the master's own worker) first, then one per CHILD batch.
    const records = (await c.store.listDispatches(id, -1, 1000)).slice(1);
    expect(records.map((r) => r.seqs.length)).toEqual(starts.map((s) => s.msg.tasks.handles.length));
    expect(records.every((r) => /^w\d#\d+$/.test(r.worker))).toBe(true);
    let sum = 0;
    for (const w of Object.values(p.workers)) sum += w.total;
    expect(sum).toBe(101); // 100 children + ROOT
    gate.open();
    expect((await c.finish(id)).status).toBe("SUCCESS");
    c.close();
  });
});
