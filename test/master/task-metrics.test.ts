// A5: the task histograms — a task's wait from its map to its dispatch (the master's clock), its
// run as its worker timed it, and its wait from dispatch to that run's start — and the finished
// counters by name, read on a ManualClock so every observation is known exactly.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { Gate, gated } from "./processors.ts";
import { startGated } from "./start-gated.ts";

/** The value of one sample line of the exposition text, or NaN when absent. */
function sample(text: string, line: string): number {
  const at = text.split("\n").find((l) => l.startsWith(`${line} `));
  return at === undefined ? NaN : Number(at.slice(line.length + 1));
}

describe("A5 task metrics", () => {
  it("A5: CHILD tasks released 2 s after they started land in the run histogram's 2.5 s bucket, their dispatch and start waits under 1 ms, and count as finished by name", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 2 }).start();
    const { id, tasks } = await startGated(c, 6);
    expect(tasks.length).toBe(6);
    await c.clock.advance(2000);
    gate.release(tasks[0]!.taskId, false, "fails");
    gate.open();
    gate.releaseAll();
    expect((await c.finish(id)).status).toBe("FAILED");
    const text = c.master.metrics.text();
    const run = (le: string) => sample(text, `taskmill_task_run_seconds_bucket{le="${le}",processor="job"}`);
    // ROOT ends within its first millisecond; the six children after the 2 s the test waited.
    expect(sample(text, 'taskmill_task_run_seconds_count{processor="job"}')).toBe(7);
    expect(run("1")).toBe(1);
    expect(run("2.5") - run("1")).toBe(6);
    // Mapped, sent and started on the same tick of the clock: no wait.
    expect(sample(text, 'taskmill_task_dispatch_wait_seconds_bucket{le="0.001",processor="job"}')).toBe(7);
    expect(sample(text, 'taskmill_task_start_wait_seconds_bucket{le="0.001",processor="job"}')).toBe(7);
    expect(sample(text, 'taskmill_task_start_wait_seconds_count{processor="job"}')).toBe(7);
    expect(sample(text, 'taskmill_tasks_finished_total{processor="job",name="CHILD",status="success"}')).toBe(5);
    expect(sample(text, 'taskmill_tasks_finished_total{processor="job",name="CHILD",status="failed"}')).toBe(1);
    expect(sample(text, 'taskmill_tasks_finished_total{processor="job",name="ROOT",status="success"}')).toBe(1);
    expect(sample(text, 'taskmill_instances_finished_total{processor="job",status="FAILED"}')).toBe(1);
    c.close();
  });

  it("A5: a task the master ends itself — killed — counts as finished, failed, once, though its worker reports it later", async () => {
    const gate = new Gate();
    const c = await new Cluster({ processors: { job: gated(gate) }, workers: 1 }).start();
    const { id, tasks } = await startGated(c, 3);
    expect(await c.master.killTask(id, tasks[0]!.taskId)).toBe(true);
    await c.clock.advance(100);
    gate.open();
    gate.releaseAll();
    await c.finish(id);
    const text = c.master.metrics.text();
    expect(sample(text, 'taskmill_tasks_finished_total{processor="job",name="CHILD",status="failed"}')).toBe(1);
    expect(sample(text, 'taskmill_tasks_finished_total{processor="job",name="CHILD",status="success"}')).toBe(2);
    c.close();
  });
});
