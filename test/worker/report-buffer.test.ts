// B11 on the worker side: the report buffer keeps one report per task attempt,
// a final one winning over RUNNING, across instances, cycles and attempts —
// whether its key is the packed number or, past the packing's range, a string.
import { describe, it, expect } from "vitest";
import { ReportBuffer } from "../../src/worker/report-buffer.ts";
import type { TaskReport } from "../../src/protocol/messages.ts";

const r = (over: Partial<TaskReport>): TaskReport => ({ instanceId: "i-1", serialNum: 1, handle: 1, taskId: "t", attempt: 0, status: "RUNNING", ...over });

describe("B11: ReportBuffer", () => {
  it("a final report replaces RUNNING, a later RUNNING never replaces a final one", () => {
    const b = new ReportBuffer();
    b.add(r({ status: "RUNNING" }));
    b.add(r({ status: "SUCCESS", result: 1 }));
    b.add(r({ status: "RUNNING" }));
    expect(b.take(10)).toEqual([r({ status: "SUCCESS", result: 1 })]);
    expect(b.size).toBe(0);
  });

  it("reports of other instances, cycles, handles or attempts are kept apart", () => {
    const b = new ReportBuffer();
    const all = [
      r({}), r({ instanceId: "i-2" }), r({ serialNum: 2 }), r({ handle: 2 ** 32 - 1 }), r({ attempt: 1 }),
      r({ attempt: 300 }), r({ serialNum: 9 }), r({ handle: 0 }),
    ];
    for (const x of all) b.add(x);
    expect(b.size).toBe(all.length);
    // Finals for each, out of order: each replaces its own RUNNING report only.
    for (const x of [...all].reverse()) b.add({ ...x, status: "FAILED", result: "x" });
    // A replaced report goes to the back: the finals come out in the order they were added.
    expect(b.take(100)).toEqual([...all].reverse().map((x) => ({ ...x, status: "FAILED", result: "x" })));
  });

  it("past 256 instances or attempts, keys fall back to strings and still tell tasks apart", () => {
    const b = new ReportBuffer();
    for (let i = 0; i < 300; i++) b.add(r({ instanceId: `i-${i}`, handle: 7, attempt: i }));
    for (let i = 0; i < 300; i++) b.add(r({ instanceId: `i-${i}`, handle: 7, attempt: i, status: "SUCCESS" }));
    const out = b.take(1000);
    expect(out).toHaveLength(300);
    expect(out.every((x, i) => x.status === "SUCCESS" && x.instanceId === `i-${i}`)).toBe(true);
  });

  it("take stops before maxBytes (at least one report) and restore puts reports back, newer ones winning", () => {
    const b = new ReportBuffer();
    for (let h = 0; h < 5; h++) b.add(r({ handle: h, status: "SUCCESS", result: "x".repeat(1000) }));
    const first = b.take(10, 2500);
    expect(first.length).toBe(2);
    b.add(r({ handle: 0, status: "FAILED", result: "newer" }));
    b.restore(first);
    const rest = b.take(10);
    expect(rest.map((x) => [x.handle, x.status])).toEqual([[1, "SUCCESS"], [2, "SUCCESS"], [3, "SUCCESS"], [4, "SUCCESS"], [0, "FAILED"]]);
  });
});
