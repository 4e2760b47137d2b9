// B28: a resume keeps only what its tables can hold; the rest goes through the resume reset.
import { describe, it, expect } from "vitest";
import { fitPlan, releaseUnkept, type ResumePlan } from "../../src/master/instance/resume-plan.ts";
import type { KeptTask } from "../../src/master/instance/adoption.ts";

const kept = (seq: number, worker: string): KeptTask =>
  ({ seq, taskId: `t-${seq}`, name: "T", body: null, attempt: 0, failures: 0, workerId: worker.split("#")[0]!, worker });

describe("B28 fitting a resume plan", () => {
  const plan: ResumePlan = {
    kept: [kept(0, "a#1"), kept(1, "b#1"), kept(2, "a#1"), kept(3, "c#1"), kept(4, "b#1"), kept(5, "d#1")],
    lost: [],
    expected: new Set(["a", "b", "c", "d"]),
  };

  it("B28: a plan that fits is kept whole", () => {
    expect(fitPlan(plan, 100, 10)).toBe(plan);
  });

  it("B28: no more kept tasks than the task table holds, in the plan's order", () => {
    expect(fitPlan(plan, 4, 10).kept.map((k) => k.seq)).toEqual([0, 1, 2, 3]);
  });

  it("B28: no more old worker keys than the worker table may give placeholders; their other tasks are still kept", () => {
    const fit = fitPlan(plan, 100, 2);
    expect(fit.kept.map((k) => k.seq)).toEqual([0, 1, 2, 4]);
    expect(fit.expected).toEqual(plan.expected);
  });

  it("B28: tasks lost with the master's own worker are released — at the next attempt, or FAILED with failover off — with what does not fit", () => {
    const withLost: ResumePlan = { ...plan, lost: [kept(9, "own#1")] };
    expect(releaseUnkept(withLost, fitPlan(withLost, 100, 10), true, "gone", 5)).toEqual([
      { seq: 9, status: 1, attempt: 1, worker: null, notBefore: null },
    ]);
    expect(releaseUnkept(withLost, fitPlan(withLost, 5, 10), false, "gone", 5).map((u) => [u.seq, u.status, u.attempt])).toEqual([
      [9, 5, 0], [5, 5, 0],
    ]);
  });
});
