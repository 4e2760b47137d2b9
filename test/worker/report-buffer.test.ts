// B11 on the worker side: the report buffer keeps one report per task attempt,
// a final one winning over RUNNING, across instances, cycles and attempts —
// whether its key is the packed number or, past the packing's range, a string.
import { describe, it, expect } from "vitest";
import { ReportBuffer } from "../../src/worker/report-buffer.ts";
import type { TaskReport } from "../../src/protocol/messages.ts";

const r = (over: Partial<TaskReport>): TaskReport => ({ instanceId: "i-1", serialNum: 1, handle: 1, taskId: "t", attempt: 0, status: "RUNNING", ...over });

describe("B11: ReportBuffer", () => {
  it("B36: restore keeps the reports of two tasks that carry the same handle at the same attempt (one old owner's, one new owner's)", () => {
    const b = new ReportBuffer();
    b.add(r({ handle: 7, taskId: "from-new-owner", status: "SUCCESS" }));
    b.restore([r({ handle: 7, taskId: "from-old-owner", status: "SUCCESS" })]);
    expect(b.take(10).map((x) => x.taskId)).toEqual(["from-old-owner", "from-new-owner"]);
  });

  it("B36: extract takes out the reports picked, oldest first, and leaves the others in order", () => {
    const b = new ReportBuffer();
    for (let h = 0; h < 6; h++) b.add(r({ handle: h, instanceId: h % 2 === 0 ? "moved" : "stays", status: "SUCCESS" }));
    b.take(1); // a taken prefix is not extracted again
    expect(b.extract((x) => x.instanceId === "moved").map((x) => x.handle)).toEqual([2, 4]);
    expect(b.take(10).map((x) => x.handle)).toEqual([1, 3, 5]);
  });

  it("is a queue: reports come out oldest first, at most max per take", () => {
    const b = new ReportBuffer();
    for (let h = 0; h < 5; h++) b.add(r({ handle: h, status: "SUCCESS" }));
    expect(b.take(2).map((x) => x.handle)).toEqual([0, 1]);
    expect(b.size).toBe(3);
    expect(b.take(10).map((x) => x.handle)).toEqual([2, 3, 4]);
    expect(b.size).toBe(0);
    expect(b.take(10)).toEqual([]);
  });

  it("take stops before maxBytes, but always takes one", () => {
    const b = new ReportBuffer();
    for (let h = 0; h < 5; h++) b.add(r({ handle: h, status: "SUCCESS", result: "x".repeat(1000) }));
    expect(b.take(10, 2500)).toHaveLength(2);
    expect(b.take(10, 10)).toHaveLength(1);
  });

  it("restore puts a failed batch back in front; per task attempt a final report wins over RUNNING, else the newer", () => {
    const b = new ReportBuffer();
    b.add(r({ handle: 0 }));
    b.add(r({ handle: 1 }));
    b.add(r({ handle: 2, status: "SUCCESS", result: "old" }));
    const sent = b.take(10);
    // Since the send: handle 0 ended, handle 2 reported again (newer), handle 3 started; handle 1 still runs.
    b.add(r({ handle: 0, status: "SUCCESS", result: 1 }));
    b.add(r({ handle: 2, status: "FAILED", result: "new" }));
    b.add(r({ handle: 3 }));
    b.restore(sent);
    expect(b.take(10).map((x) => [x.handle, x.status, x.result])).toEqual([
      [1, "RUNNING", undefined], [0, "SUCCESS", 1], [2, "FAILED", "new"], [3, "RUNNING", undefined],
    ]);
  });

  it("restore tells apart instances, cycles, handles and attempts", () => {
    const b = new ReportBuffer();
    const all = [r({}), r({ instanceId: "i-2" }), r({ serialNum: 2 }), r({ handle: 2 ** 32 - 1 }), r({ attempt: 1 }), r({ attempt: 300 })];
    for (const x of all) b.add({ ...x, status: "SUCCESS" });
    b.restore(all);
    const out = b.take(100);
    expect(out).toHaveLength(all.length);
    expect(out.every((x) => x.status === "SUCCESS")).toBe(true);
  });

  it("a long backlog taken in pieces keeps its order", () => {
    const b = new ReportBuffer();
    for (let h = 0; h < 5000; h++) b.add(r({ handle: h, status: "SUCCESS" }));
    const seen: number[] = [];
    while (b.size > 0) {
      for (const x of b.take(700)) seen.push(x.handle);
      b.add(r({ handle: 10_000 + seen.length, status: "SUCCESS" }));
      if (seen.length > 6000) break;
    }
    expect(seen.slice(0, 5000)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });
});
