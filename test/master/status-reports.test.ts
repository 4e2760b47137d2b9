// Status reports (B11): which reports a master applies and which it refuses, and what
// a store write that keeps failing does to the instance.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { sumSquares, sumOfSquares, Gate, gated } from "./processors.ts";
import { instrumentStore } from "./recording.ts";
import { startGated } from "./start-gated.ts";
import { forged, refOf } from "./identities.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import type { TaskReport } from "../../src/protocol/messages.ts";
import { reportColumns } from "../../src/protocol/columns.ts";

describe("B11 status reports", () => {
  it("B11: reports for another attempt, a finished task, a stale serialNum or another worker are not applied", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2 }).start();
    const { id, tasks, rec } = await startGated(c, 4);
    const t = tasks[0]!;
    const owner = c.workers.find((w) => w.address === t.to)!;
    const other = c.workers.find((w) => w.address !== t.to)!;
    const base = { instanceId: id, serialNum: 1, handle: t.handle, taskId: t.taskId, attempt: t.attempt };
    const send = (w: typeof owner, inc: number, reports: TaskReport[]) =>
      c.network.request("master", { type: "report", worker: { ...refOf(rec, w.workerId)!, incarnation: inc }, load: { freeSlots: 1, cpuFree: null, memFree: null }, reports: reportColumns(reports) });
    // The live view names the worker a task was handed to (its store row is INIT: dispatch writes no row, B3).
    const workerOf = async () => (await c.master.tasks(id, { limit: 100 }))!.tasks.find((x) => x.taskId === t.taskId)!.worker!;
    const incOf = async (w: typeof owner) => (await workerOf()).startsWith(w.workerId) ? Number((await workerOf()).split("#")[1]) : -1;
    const inc = await incOf(owner);
    expect(inc).toBeGreaterThan(0);
    const r1 = await send(owner, inc, [{ ...base, attempt: 7, status: "SUCCESS" }, { ...base, serialNum: 0, status: "SUCCESS" }]);
    expect(r1).toMatchObject({ ok: true, applied: 0, refused: 2 });
    const otherInc = Number(Object.keys(c.master.progress(id)!.workers).find((k) => k.startsWith(other.workerId))?.split("#")[1] ?? 0);
    if (otherInc && refOf(rec, other.workerId)) expect(await send(other, otherInc, [{ ...base, status: "SUCCESS" }])).toMatchObject({ applied: 0, refused: 1 });
    // Within a batch a final report wins over RUNNING.
    const r2 = await send(owner, inc, [{ ...base, status: "SUCCESS", result: "first" }, { ...base, status: "RUNNING" }]);
    expect(r2).toMatchObject({ ok: true, applied: 1 });
    // A finished task: refused, and nothing changes.
    const before = c.master.progress(id)!.names.CHILD!;
    const r3 = await send(owner, inc, [{ ...base, status: "FAILED", result: "late" }]);
    expect(r3).toMatchObject({ applied: 0, refused: 1 });
    expect(c.master.progress(id)!.names.CHILD).toEqual(before);
    expect((await c.store.getTask(id, t.taskId))!.result).toBe("first");
    expect(c.master.refusals(id)!.stale + c.master.refusals(id)!.wrongAttempt + c.master.refusals(id)!.wrongWorker).toBeGreaterThanOrEqual(2);
    gate.open();
    await c.finish(id);
    c.close();
  });

  it("B36: in one batch, a late report of another task naming the same handle (an old owner's number) does not push out the report of the task the handle holds", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2 }).start();
    const { id, tasks, rec } = await startGated(c, 4);
    const t = tasks[0]!;
    const owner = c.workers.find((w) => w.address === t.to)!;
    const inc = Number((await c.master.tasks(id, { limit: 100 }))!.tasks.find((x) => x.taskId === t.taskId)!.worker!.split("#")[1]);
    const base = { instanceId: id, serialNum: 1, handle: t.handle, taskId: t.taskId, attempt: t.attempt };
    const r = await c.network.request("master", {
      type: "report", worker: { ...refOf(rec, owner.workerId)!, incarnation: inc }, load: { freeSlots: 1, cpuFree: null, memFree: null },
      reports: reportColumns([{ ...base, status: "SUCCESS", result: "mine" }, { ...base, taskId: "r.0.999999", status: "SUCCESS", result: "stale" }]),
    });
    expect(r).toMatchObject({ ok: true, applied: 1, refused: 1 });
    expect((await c.store.getTask(id, t.taskId))!.result).toBe("mine");
    gate.open();
    await c.finish(id);
    c.close();
  });

  it("B11: an unregistered worker gets 409 (unregistered), re-registers and sends again", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 1 }).start();
    const r = await c.network.request("master", { type: "report", worker: forged({ workerId: "ghost", incarnation: 99 }), load: { freeSlots: 1, cpuFree: null, memFree: null }, reports: [] });
    expect(r).toMatchObject({ ok: false, code: "unregistered" });
    c.close();
  });

  it("B11: a store write that fails three times fails the instance \"persistence failed\"", async () => {
    const s = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { sumSquares }, store: s.store }).start();
    s.failing.set("updateStatuses", 3);
    const v = await c.run("sumSquares", { n: 30, ranges: 3 });
    expect(v.status).toBe("FAILED");
    expect(v.result).toMatch(/^persistence failed: injected updateStatuses failure/);
    c.close();
  });

  it("B11: a write that fails twice succeeds on the third attempt", async () => {
    const s = instrumentStore(new MemoryStore());
    const c = await new Cluster({ processors: { sumSquares }, store: s.store }).start();
    s.failing.set("updateStatuses", 2);
    const v = await c.run("sumSquares", { n: 30, ranges: 3 });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sumOfSquares(30), count: 30 });
    c.close();
  });
});

