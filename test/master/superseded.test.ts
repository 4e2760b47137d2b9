// A worker the master superseded (B30): paused like a SIGSTOP'd process past the liveness timeout, it is
// declared dead and its tasks run elsewhere; when it resumes, the master answers `superseded` and the
// worker drops what it still queued — none of it runs.
import { describe, it, expect } from "vitest";
import { Cluster } from "./harness.ts";
import { Gate, gated } from "./processors.ts";
import { Worker } from "../../src/index.ts";
import type { Message } from "../../src/protocol/messages.ts";
import type { Handler, ReplyOf, Transport } from "../../src/protocol/transport.ts";
import type { TaskContext } from "../../src/processor/types.ts";

/** A worker's own view of the network: paused, its requests wait (a stopped process sends nothing) until resumed. */
class Pausable implements Transport {
  #paused = false;
  #waiting: Array<() => void> = [];
  /** Refusal codes the worker got. */
  readonly refusals: string[] = [];
  constructor(private readonly inner: Transport) {}

  pause(): void { this.#paused = true; }
  resume(): void {
    this.#paused = false;
    for (const go of this.#waiting.splice(0)) go();
  }

  async request<M extends Message>(to: string, msg: M, options?: { timeoutMs?: number }): Promise<ReplyOf[M["type"]]> {
    if (this.#paused) await new Promise<void>((r) => this.#waiting.push(r));
    const r = await this.inner.request(to, msg, options);
    if (!r.ok) this.refusals.push(r.code);
    return r;
  }

  serve(address: string, role: "master" | "worker", handler: Handler<never>): () => void {
    return (this.inner.serve as (a: string, r: string, h: Handler<never>) => () => void)(address, role, handler);
  }
}

describe("B30 superseded incarnations", () => {
  it("B30: a worker paused past the liveness timeout is superseded; resumed, it gets 410 and runs none of the tasks it still queued", async () => {
    const gate = new Gate();
    const processors = { job: gated(gate) };
    const c = await new Cluster({ processors, workers: 1 }).start();
    // The paused worker records what it starts; a run it starts before it is paused never ends on its own
    // (a stopped process finishes nothing), what it starts after it resumed succeeds at once.
    const ran: TaskContext[] = [];
    const stuck = new Gate();
    let resumed = false;
    const net = new Pausable(c.network);
    const paused = new Worker({
      workerId: "sleepy", address: "sleepy-addr", transport: net, clock: c.clock, slots: 5,
      processors: {
        job: {
          process: (ctx: TaskContext) => {
            ran.push(ctx);
            return ctx.isRoot || resumed ? processors.job.process(ctx) : stuck.wait(ctx);
          },
        },
      },
    });
    await paused.join("master");
    const id = await c.master.submit({ processor: "job", params: { n: 40 }, settings: { execOnMaster: false, consumerSize: 1, livenessTimeoutMs: 3000 } });
    await c.clock.advance(1);
    expect(ran.length).toBe(1); // one runs, the rest of its share waits in its queue
    // Handed to it (the live view: the store marks no row, B3), running or waiting in its queue.
    const queuedThere = (await c.master.tasks(id, { limit: 100 }))!.tasks
      .filter((t) => (t.status === "PULLED" || t.status === "RUNNING") && t.worker?.startsWith("sleepy#"));
    expect(queuedThere.length).toBeGreaterThan(10);

    // SIGSTOP: nothing leaves it, nothing reaches it.
    net.pause();
    c.network.fault("sleepy-addr", "hang");
    await c.clock.advance(5000);
    expect(c.master.workerCount()).toBe(2); // declared dead: the master and w1 are left
    // Its tasks were failed over to w1, where they wait (w1 runs one at a time, held by the gate).

    // SIGCONT: its heartbeat is answered 410 superseded; it drops its queue and registers afresh.
    resumed = true;
    net.resume();
    c.network.fault("sleepy-addr", undefined);
    await c.clock.advance(10);
    stuck.open(); // the run it had going ends now: had its pool stayed, its queue would run next
    await c.clock.advance(10);
    gate.open();
    const v = await c.finish(id);
    expect(net.refusals).toContain("superseded");
    expect(v.status).toBe("SUCCESS");
    expect(v.progress!.names.CHILD).toEqual({ total: 40, init: 0, pulled: 0, running: 0, success: 40, failed: 0 });
    // Of the tasks queued on it when paused it ran only the one it was running then: the rest were dropped.
    const mine = new Set(queuedThere.map((t) => t.taskId));
    expect(ran.filter((ctx) => mine.has(ctx.taskId) && ctx.attempt === 0).length).toBe(1);
    expect(stuck.started.length).toBe(1);
    expect(paused.instances).not.toContain(id);
    paused.close();
    c.close();
  });
});
