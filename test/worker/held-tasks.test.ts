// B28: what a worker lists as held when it registers again with a restarted master.
import { describe, it, expect } from "vitest";
import { heldTasks } from "../../src/worker/held-tasks.ts";
import { Pool, TaskRun } from "../../src/worker/pool.ts";
import { ReportBuffer } from "../../src/worker/report-buffer.ts";
import type { InstanceSpec, TaskReport, TaskSpec } from "../../src/protocol/messages.ts";

const spec = (instanceId: string): InstanceSpec => ({ instanceId, serialNum: 1, processor: "p", params: null, consumerSize: 2 });
const task = (taskId: string, attempt = 0): TaskSpec => ({ handle: 1, taskId, name: "T", body: null, attempt });
const report = (instanceId: string, taskId: string, attempt: number): TaskReport =>
  ({ instanceId, serialNum: 1, handle: 1, taskId, attempt, status: "SUCCESS", result: null });

describe("B28 held tasks", () => {
  it("B28: a registration lists the waiting, running, unsent and on-their-way reports' tasks of that master only, each once, at most the cap", () => {
    const mine = new Pool(spec("i1"), "m1", 10), other = new Pool(spec("i2"), "m2", 10);
    mine.waiting.pushAll([task("w1"), task("w2", 3)]);
    mine.running.set("r1", new TaskRun(task("r1", 1)));
    other.waiting.push(task("x"));
    const buffered = new ReportBuffer();
    buffered.add(report("i1", "done1", 0));
    buffered.add(report("i1", "r1", 1)); // also running: listed once
    const sending = [report("i1", "sent1", 2)];
    const held = heldTasks([mine, other], [buffered, sending], "m1");
    expect(held).toEqual([
      { instanceId: "i1", taskId: "done1", attempt: 0 },
      { instanceId: "i1", taskId: "r1", attempt: 1 },
      { instanceId: "i1", taskId: "sent1", attempt: 2 },
      { instanceId: "i1", taskId: "w1", attempt: 0 },
      { instanceId: "i1", taskId: "w2", attempt: 3 },
    ]);
    expect(heldTasks([mine, other], [buffered, sending], "m1", 2)).toHaveLength(2);
    mine.closed.abort("gone");
    expect(heldTasks([mine], [], "m1")).toEqual([]);
  });
});
