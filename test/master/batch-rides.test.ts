// W4: push batches ride on the replies to workers' reports — one exchange per batch —
// acknowledged by the next report, sent again when a reply was lost, run once, and failed
// over like an unanswered start when no acknowledgement comes.
import { describe, it, expect, afterEach } from "vitest";
import { Cluster } from "./harness.ts";
import { defineMapReduce, type JsonValue } from "../../src/index.ts";
import { ManualClock } from "../../src/runtime/clock.ts";
import { BatchRides } from "../../src/master/batch-rides.ts";
import { TransportError } from "../../src/protocol/transport.ts";
import { taskColumns } from "../../src/protocol/columns.ts";
import type { Message } from "../../src/protocol/messages.ts";
import type { Reply } from "../../src/protocol/replies.ts";
import { InProcessNetwork } from "../../src/protocol/in-process.ts";
import { Worker } from "../../src/worker/index.ts";
import { defineMap } from "../../src/index.ts";
import { FAKE_CREDENTIAL, fakeMaster, tasks } from "../worker/fake-master.ts";

let cluster: Cluster | undefined;
const closers: Array<() => void> = [];
afterEach(() => { cluster?.close(); cluster = undefined; for (const c of closers.splice(0)) c(); });

/** Runs of each task, by task id: a MapReduce of `n` LEAF tasks summing their bodies. */
function counted() {
  const runs = new Map<string, number>();
  const processor = defineMapReduce<{ n: number }>({
    async process(ctx) {
      runs.set(ctx.taskId, (runs.get(ctx.taskId) ?? 0) + 1);
      if (ctx.isRoot) {
        await ctx.map(Array.from({ length: ctx.params.n }, (_, i) => i), "LEAF");
        return { ok: true };
      }
      return { ok: true, result: ctx.body as JsonValue };
    },
    async reduce(ctx) {
      let sum = 0;
      for await (const r of ctx.results) if (r.name === "LEAF") sum += r.result as number;
      return { ok: true, result: sum };
    },
  });
  return { runs, processor };
}

type Send = (to: string, msg: Message, opts?: { timeoutMs?: number }) => Promise<Reply>;

/** Wraps the network's requests: `around` sees each request with the original sender. */
function intercept(c: Cluster, around: (send: Send, to: string, msg: Message, opts?: { timeoutMs?: number }) => Promise<Reply>): void {
  const send = c.network.request.bind(c.network) as Send;
  c.network.request = ((to: string, msg: Message, opts?: { timeoutMs?: number }) => around(send, to, msg, opts)) as typeof c.network.request;
}

const ridden = (r: Reply) => (r.ok && "batches" in r ? r.batches ?? [] : []);

/** Every task handed out — in a start message or riding on a report's reply — with its attempt and worker id. */
function handedOut(msg: Message, r: Reply, out: Array<{ taskId: string; attempt: number; workerId: string }>): void {
  if (msg.type !== "start" && msg.type !== "report") return;
  const workerId = msg.worker.workerId;
  const batches = msg.type === "start" ? [msg.tasks] : ridden(r).map((b) => b.tasks);
  for (const t of batches) t.taskIds.forEach((taskId, i) => out.push({ taskId, attempt: t.attempts[i]!, workerId }));
}
const SETTINGS = { pageSize: 5, dispatchers: 2, execOnMaster: false, consumerSize: 5 };

/** One worker "w1" joined to a fake master on a manual clock; `runs` counts each task's runs. */
async function soloWorker() {
  const clock = new ManualClock(1000);
  const net = new InProcessNetwork(clock);
  const master = fakeMaster(net);
  const runs = new Map<string, number>();
  const p = defineMap({ async process(ctx) { runs.set(ctx.taskId, (runs.get(ctx.taskId) ?? 0) + 1); return { ok: true, result: 1 }; } });
  const w = new Worker({ workerId: "w1", address: "w1", transport: net, clock, processors: { p }, heartbeatMs: 1000 });
  closers.push(() => w.close(), master.stop);
  await w.join(master.address);
  return { clock, net, master, runs };
}

describe("W4 batches ride on report replies", () => {
  it("W4: in push mode most batches ride on report replies, fewer start messages leave than batches, and every task runs once", async () => {
    const { runs, processor } = counted();
    cluster = await new Cluster({ processors: { p: processor }, workers: 2 }).start();
    let starts = 0, rides = 0;
    intercept(cluster, async (send, to, msg, opts) => {
      if (msg.type === "start" && !to.endsWith("/worker")) starts++;
      const r = await send(to, msg, opts);
      rides += ridden(r).length;
      return r;
    });
    const v = await cluster.run("p", { n: 200 }, SETTINGS);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toBe(199 * 100);
    expect(rides).toBeGreaterThan(starts);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(runs.size).toBe(201);
  });

  it("W4: a reply lost with a batch on it: the report sent again gets the same batch again, and its tasks run once", async () => {
    const { runs, processor } = counted();
    cluster = await new Cluster({ processors: { p: processor }, workers: 2 }).start();
    const lost = new Set<number>(), again = new Set<number>();
    const handed: Array<{ taskId: string; attempt: number; workerId: string }> = [];
    intercept(cluster, async (send, to, msg, opts) => {
      const r = await send(to, msg, opts);
      handedOut(msg, r, handed);
      const ids = ridden(r).map((b) => b.id);
      for (const id of ids) if (lost.has(id)) again.add(id);
      // The first two replies carrying batches reach the master's answer but not the worker.
      if (ids.length > 0 && lost.size < 2 && ids.every((id) => !lost.has(id))) {
        for (const id of ids) lost.add(id);
        throw new TransportError("timeout", to, "reply lost by the test");
      }
      return r;
    });
    const v = await cluster.run("p", { n: 100 }, SETTINGS);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toBe(99 * 50);
    expect(lost.size).toBeGreaterThan(0);
    expect([...lost].every((id) => again.has(id))).toBe(true);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    // No task went elsewhere: every task was handed out at its first attempt only.
    expect(handed.filter((t) => t.taskId !== "r").length).toBeGreaterThanOrEqual(100);
    expect(handed.every((t) => t.attempt === 0)).toBe(true);
  });

  it("W4: a batch never acknowledged fails over after requestTimeoutMs, as an unanswered start (B9): its tasks run elsewhere at attempt 1, once", async () => {
    const { runs, processor } = counted();
    cluster = await new Cluster({ processors: { p: processor }, workers: 2 }).start();
    const c = cluster;
    let silenced: { workerId: string; until: number; taskIds: string[] } | null = null;
    const handed: Array<{ taskId: string; attempt: number; workerId: string }> = [];
    intercept(c, async (send, to, msg, opts) => {
      // After a reply carrying a batch is lost, the worker's reports are lost too for longer than requestTimeoutMs.
      if (msg.type === "report" && silenced?.workerId === msg.worker.workerId && c.clock.now() < silenced.until) {
        throw new TransportError("refused", to, "reports lost by the test");
      }
      const r = await send(to, msg, opts);
      handedOut(msg, r, handed);
      if (msg.type === "report" && ridden(r).length > 0 && silenced === null) {
        silenced = { workerId: msg.worker.workerId, until: c.clock.now() + 2_500, taskIds: ridden(r).flatMap((b) => b.tasks.taskIds) };
        throw new TransportError("timeout", to, "reply lost by the test");
      }
      return r;
    });
    const v = await c.run("p", { n: 60 }, SETTINGS);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toBe(59 * 30);
    const lost = silenced!;
    expect(lost.taskIds.length).toBeGreaterThan(0);
    const other = c.workers.find((w) => w.workerId !== lost.workerId)!.workerId;
    for (const taskId of lost.taskIds) {
      // Handed to the silenced worker at attempt 0 (the lost reply), then to the other at attempt 1 — and run there only.
      expect(handed.filter((t) => t.taskId === taskId).map((t) => [t.attempt, t.workerId]), taskId).toEqual([[0, lost.workerId], [1, other]]);
      expect(runs.get(taskId), taskId).toBe(1);
    }
  });

  it("W4: a batch rides only while its worker's report is answered; the next report's ack lands it, a nack refuses it with the worker's reason", async () => {
    const clock = new ManualClock(0);
    const rides = new BatchRides(clock);
    const instance = { instanceId: "i1", serialNum: 1, processor: "p", consumerSize: 1 };
    const tasks = taskColumns([{ handle: 1, taskId: "t1", name: "LEAF", body: 1, attempt: 0 }]);
    expect(rides.carry("w#1", instance, tasks, 1000)).toBeNull();
    rides.open("w#1", 0);
    const a = rides.carry("w#1", instance, tasks, 1000)!;
    const b = rides.carry("w#1", instance, tasks, 1000)!;
    const sent = rides.close("w#1");
    expect(sent.map((x) => x.tasks.taskIds)).toEqual([["t1"], ["t1"]]);
    const [idA, idB] = sent.map((x) => x.id);
    expect(idB).toBeGreaterThan(idA!);
    // A report that acknowledges only the first (the second's reply was lost): the second rides again.
    rides.open("w#1", idA!);
    await expect(a).resolves.toEqual({ ok: true, accepted: 1 });
    expect(rides.close("w#1").map((x) => x.id)).toEqual([idB]);
    rides.open("w#1", idB!, [[idB!, "params_needed", "send params"]]);
    await expect(b).resolves.toMatchObject({ ok: false, code: "params_needed", error: "send params" });
    expect(rides.close("w#1")).toEqual([]);
    expect(rides.unacknowledged).toBe(0);
  });

  it("W4: a batch not acknowledged within its timeout is a TransportError timeout, and rides no more", async () => {
    const clock = new ManualClock(0);
    const rides = new BatchRides(clock);
    const instance = { instanceId: "i1", serialNum: 1, processor: "p", consumerSize: 1 };
    rides.open("w#1", 0);
    const a = rides.carry("w#1", instance, taskColumns([]), 500)!;
    expect(rides.close("w#1")).toHaveLength(1);
    const settled = a.then(() => "resolved", (e: unknown) => e);
    await clock.advance(499);
    expect(rides.unacknowledged).toBe(1);
    await clock.advance(1);
    const e = await settled;
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).failure).toBe("timeout");
    rides.open("w#1", 0);
    expect(rides.close("w#1")).toEqual([]);
    expect(rides.unacknowledged).toBe(0);
  });
});

describe("W4 on the worker", () => {
  it("W4: a worker acknowledges a riding batch with its next report, and a protocol error does not make it resend the acknowledgement for ever", async () => {
    const { clock, net, master, runs } = await soloWorker();
    const instance = { instanceId: "i1", serialNum: 1, processor: "p", consumerSize: 5 };
    const ride = { id: 7, instance, tasks: taskColumns(tasks(2, "b")) };
    // The first report's reply carries batch 7; the reports after are refused as a protocol error.
    master.next.set("report", [
      { ok: true, applied: 1, refused: 0, batches: [ride] },
      ...Array.from({ length: 50 }, () => ({ ok: false, code: "bad_request", error: "reports: nonsense", field: "reports" })),
    ]);
    await net.request("w1", master.start("w1", "i1", tasks(1)));
    await clock.until(() => runs.size === 3);
    await clock.advance(10_000);
    const reports = master.got.filter((m) => m.type === "report");
    expect([...runs.values()]).toEqual([1, 1, 1]);
    // Every report after the ride names it.
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.slice(1).every((m) => m.type === "report" && m.ack === 7)).toBe(true);
    expect(reports.length).toBeLessThan(10);
  });
});

describe("W5 pulls carry reports", () => {
  it("W5: in pull mode the reports ride on the pulls: most results reach the master on a pull, each task runs and ends once", async () => {
    const { runs, processor } = counted();
    cluster = await new Cluster({ processors: { p: processor }, workers: 2 }).start();
    let onPulls = 0, onReports = 0, applied = 0;
    intercept(cluster, async (send, to, msg, opts) => {
      const r = await send(to, msg, opts);
      if (msg.type === "pull" && msg.reports) {
        onPulls += msg.reports.reduce((n, g) => n + g.handles.length, 0);
        if (r.ok && "tasks" in r) applied += r.applied ?? 0;
      }
      if (msg.type === "report" && msg.worker.workerId !== cluster!.ownWorker.workerId) onReports += msg.reports.reduce((n, g) => n + g.handles.length, 0);
      return r;
    });
    const v = await cluster.run("p", { n: 200 }, { dispatchMode: "pull", pageSize: 5, consumerSize: 5, globalConsumerSize: 100, execOnMaster: false });
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toBe(199 * 100);
    expect(onPulls).toBeGreaterThan(onReports);
    expect(applied).toBeGreaterThan(0);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
  });

  it("W5: a pull's reply lost: the reports it carried go again, and no task runs twice", async () => {
    const { clock, net, master, runs } = await soloWorker();
    let lost = 0;
    const send = net.request.bind(net) as Send;
    net.request = (async (to: string, msg: Message, opts?: { timeoutMs?: number }) => {
      const r = await send(to, msg, opts);
      // The first pull carrying reports reaches the master; its reply (no tasks on it) does not reach the worker.
      if (msg.type === "pull" && msg.reports !== undefined && lost === 0) {
        lost++;
        throw new TransportError("timeout", to, "reply lost by the test");
      }
      return r;
    }) as typeof net.request;
    master.toPull.push(...tasks(3));
    const notice = { type: "notifyPull" as const, master: "master", credential: FAKE_CREDENTIAL, worker: { workerId: "w1", incarnation: 1 }, pageSize: 10,
      instance: { instanceId: "i1", serialNum: 1, processor: "p", params: null, consumerSize: 3 } };
    // A full pool: its pull loop waits for a slot, so the finals go with the pull that slot lets out.
    expect(await net.request("w1", notice)).toEqual({ ok: true });
    await clock.until(() => [...master.finals.values()].filter((n) => n >= 2).length === 3);
    expect(lost).toBe(1);
    const carried = master.got.filter((m) => m.type === "pull" && m.reports !== undefined);
    expect(carried.length).toBeGreaterThanOrEqual(1);
    expect([...runs.values()]).toEqual([1, 1, 1]);
    master.pullOver = true;
  });
});
