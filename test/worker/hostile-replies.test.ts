// A worker among hostile peers (M10, M11): generated malformed replies from its master and
// malformed start batches and pull notices to it. It never crashes (vitest fails on an
// unhandled rejection), keeps serving, and frees what it allocated: no pool, nothing to report.
import { describe, it, expect, afterEach } from "vitest";
import fc from "fast-check";
import { createServer, type Server, type ServerResponse } from "node:http";
import { ManualClock, RealClock } from "../../src/runtime/clock.ts";
import { InProcessNetwork } from "../../src/protocol/in-process.ts";
import { HttpTransport } from "../../src/http/index.ts";
import { nodeHttpFetch } from "../../adapters/node/http-fetch.ts";
import { Worker } from "../../src/worker/index.ts";
import { defineMap } from "../../src/index.ts";
import { RefusalCode } from "../../src/protocol/replies.ts";
import type { Message, WorkerMessage } from "../../src/protocol/messages.ts";
import { FAKE_CREDENTIAL, fakeMaster, tasks, type FakeMaster } from "./fake-master.ts";

const SEED = 20261204;
const RUNS = 1000;
/** A thousand cases take ~25 s alone on 2 cores; room for a busy machine. */
const FUZZ_TIMEOUT_MS = 300_000;
const IDLE_MS = 60_000;
const closers: Array<() => unknown> = [];
afterEach(async () => { for (const c of closers.splice(0).reverse()) await c(); });

/** Tasks end at once; a task with body "map" first maps two children. */
const quick = defineMap({
  async process(ctx) {
    if (ctx.body === "map") await ctx.map([1, 2], "CHILD");
    return { ok: true, result: 1 };
  },
});

const deep = (() => { let v: unknown = 1; for (let i = 0; i < 5000; i++) v = [v]; return { ok: true, tasks: v, incarnation: v, applied: v }; })();
const huge = { ok: true, tasks: new Array(20_000).fill({ handle: "x" }), applied: 1, refused: 1, stored: 1, slowDown: false, incarnation: 1 };

const HUGE = Symbol("a 20,000-task reply"), DEEP = Symbol("a 5,000-deep reply");
const FIELDS = ["ok", "incarnation", "secret", "credential", "tasks", "applied", "refused", "stored", "slowDown", "code", "error", "field", "retryAfterMs", "accepted"];
const junk = fc.anything({ maxDepth: 3, maxKeys: 4 });
/** Replies a broken or hostile master might send: anything, near-misses of each shape, refusals, huge and deep ones. */
const hostileReply = fc.oneof(
  junk,
  fc.dictionary(fc.constantFrom(...FIELDS), junk, { maxKeys: 5 }).map((d) => ({ ok: true, ...d })),
  fc.record({
    ok: fc.constantFrom(true, false, "true", 1, null),
    tasks: fc.array(fc.record({ handle: junk, taskId: junk, name: junk, body: junk, attempt: junk }, { requiredKeys: [] }), { maxLength: 3 }),
    applied: junk, refused: junk, incarnation: junk, stored: junk, slowDown: junk,
  }, { requiredKeys: ["ok"] }),
  fc.record({
    ok: fc.constant(false),
    code: fc.oneof(fc.constantFrom(...RefusalCode.options), fc.string()),
    error: fc.oneof(fc.string(), junk),
    retryAfterMs: fc.oneof(fc.constant(undefined), fc.double(), fc.integer({ min: 0, max: 100_000 })),
  }, { requiredKeys: ["ok", "code"] }),
  // Tokens, not the values: fast-check would print a 5,000-deep value recursively.
  fc.constantFrom(HUGE, DEEP),
);
/** The reply a generated value stands for. */
const realReply = (v: unknown) => (v === HUGE ? huge : v === DEEP ? deep : v);

type Exchange = "register" | "heartbeat" | "report" | "map" | "pull";

async function newWorker(clock: ManualClock) {
  const net = new InProcessNetwork(clock);
  const master = fakeMaster(net);
  const worker = new Worker({ workerId: "w1", address: "w1", transport: net, clock, processors: { p: quick }, heartbeatMs: 20_000, retryMs: 10, poolIdleMs: IDLE_MS });
  return { net, master, worker };
}

/** Runs the clock until the worker has nothing running or to report, then past the idle time: no pool may be left. */
async function drained(clock: ManualClock, worker: Worker, master: FakeMaster): Promise<void> {
  master.pullOver = true;
  await clock.until(() => worker.running === 0 && worker.pendingReports === 0, 4 * 3_600_000);
  // Idle is seen at heartbeats (every 20 s): freed within poolIdleMs + two of them.
  await clock.advance(IDLE_MS + 41_000);
  expect(worker.instances).toEqual([]);
  expect(worker.pendingReports).toBe(0);
}

describe("a worker among hostile peers", () => {
  it("M10: 1,000 malformed replies to register, heartbeat, report, map and pull: no crash, it keeps serving, and frees what it allocated", async () => {
    let runs = 0;
    await fc.assert(fc.asyncProperty(fc.constantFrom<Exchange>("register", "heartbeat", "report", "map", "pull"), hostileReply, async (type, reply) => {
      runs++;
      const clock = new ManualClock(1000);
      const { net, master, worker } = await newWorker(clock);
      try {
        master.next.set(type, [realReply(reply)]);
        if (type === "register") {
          // A well-formed refusal rejects join (the operator sees why); anything else is retried.
          let settled = false, refused = false;
          void worker.join(master.address).catch((e: unknown) => { expect(e).toBeInstanceOf(Error); refused = true; }).finally(() => { settled = true; });
          await clock.until(() => settled); // a retry waits retryMs on the clock
          if (refused) await worker.join(master.address);
          // Whatever incarnation it took, the next heartbeat's "unregistered" makes it register anew.
          master.next.set("heartbeat", [{ ok: false, code: "unregistered", error: "who?" }]);
          await clock.advance(20_000);
        } else {
          await worker.join(master.address);
          if (type === "heartbeat") await clock.advance(20_000);
          else if (type === "pull") {
            master.toPull.push(...tasks(2, "pulled"));
            await net.request("w1", { ...master.start("w1", "pi", []), type: "notifyPull", pageSize: 5 } as unknown as WorkerMessage);
          } else await net.request("w1", master.start("w1", "i1", [{ ...tasks(1)[0]!, body: type === "map" ? "map" : 0 }]));
          await clock.advance(50);
        }
        // It still serves: a new batch runs and is reported.
        const r = await net.request("w1", master.start("w1", "after", tasks(1, "after")));
        expect(r).toEqual({ ok: true, accepted: 1 });
        await drained(clock, worker, master);
        expect(master.finals.get("after-0")).toBe(1);
      } finally {
        worker.close();
        master.stop();
      }
    }), { numRuns: RUNS, seed: SEED });
    expect(runs).toBe(RUNS);
  }, FUZZ_TIMEOUT_MS);

  it("M11: 1,000 generated start batches and pull notices, most malformed: each malformed one is refused naming its field, the rest run, and no pool is left", async () => {
    const clock = new ManualClock(1000);
    const { net, master, worker } = await newWorker(clock);
    closers.push(() => worker.close(), master.stop);
    await worker.join(master.address);
    const valid = fc.record({
      kind: fc.constantFrom("start", "notifyPull"),
      instanceId: fc.constantFrom("a", "b", "c", "d", "e"),
      serialNum: fc.integer({ min: 0, max: 3 }),
      incarnation: fc.constantFrom(1, 1, 1, 2),
      consumerSize: fc.integer({ min: 1, max: 1_000_000 }),
      withParams: fc.boolean(),
      n: fc.integer({ min: 0, max: 3 }),
      processor: fc.constantFrom("p", "p", "p", "nope"),
    }).map((c): Record<string, unknown> => {
      const instance: Record<string, unknown> = { instanceId: c.instanceId, serialNum: c.serialNum, processor: c.processor, consumerSize: c.consumerSize };
      if (c.withParams) instance.params = null;
      const base = { master: "master", credential: FAKE_CREDENTIAL, worker: { workerId: "w1", incarnation: c.incarnation }, instance };
      return c.kind === "start" ? { type: "start", ...base, tasks: tasks(c.n, `${c.instanceId}${c.serialNum}-${Math.random().toString(36).slice(2)}`) } : { type: "notifyPull", ...base, pageSize: 4 };
    });
    /** A field of the message (or of its instance, worker or first task) set to junk, or dropped. */
    const broken = fc.tuple(valid, fc.constantFrom("", "instance.", "worker.", "tasks.0."), fc.constantFrom(...["type", "master", "credential", "worker", "instance", "tasks", "pageSize", "instanceId", "serialNum", "processor", "params", "consumerSize", "fence", "taskTimeout", "workerId", "incarnation", "handle", "taskId", "name", "body", "attempt"]), fc.oneof(junk, fc.constant(undefined)))
      .map(([m, prefix, key, value]) => {
        const target = prefix === "" ? m : prefix === "tasks.0." ? (m.tasks as unknown[] | undefined)?.[0] : m[prefix.slice(0, -1)];
        if (target && typeof target === "object") (target as Record<string, unknown>)[key] = value;
        return m;
      });
    let refused = 0, accepted = 0;
    await fc.assert(fc.asyncProperty(fc.oneof({ weight: 1, arbitrary: valid }, { weight: 3, arbitrary: broken }), async (m) => {
      const r = await net.request("w1", m as unknown as Message);
      if (r.ok) accepted++;
      else {
        refused++;
        expect(["bad_request", "not_running", "rejected", "params_needed", "forbidden"]).toContain(r.code);
        if (r.code === "bad_request") expect(r.error.startsWith(`${r.field}: `)).toBe(true);
      }
      await clock.advance(5);
    }), { numRuns: 1000, seed: SEED });
    expect(refused).toBeGreaterThan(300);
    expect(accepted).toBeGreaterThan(50);
    await drained(clock, worker, master);
    expect(worker.running).toBe(0);
  }, FUZZ_TIMEOUT_MS);

  it("M10: over real HTTP, replies that are not JSON, cut short, oversized or error pages: registration is retried until a good one, then the worker serves", async () => {
    const MiB = 2 ** 20;
    const bodies: Array<(res: ServerResponse) => void> = [
      (res) => { res.writeHead(200, { "content-type": "application/json" }); res.end("{\"ok\":tru"); },
      (res) => { res.writeHead(200, { "content-type": "text/html" }); res.end("<html>hello</html>"); },
      (res) => { res.writeHead(200, { "content-type": "application/json", "content-length": "100" }); res.end("{\"ok\":true"); },
      (res) => { res.writeHead(500); res.end("x".repeat(5 * MiB)); },
      (res) => { res.writeHead(409, { "content-type": "application/json" }); res.end("null"); },
      (res) => { res.writeHead(200, { "content-type": "application/json" }); res.write("{\"ok\":true,\"pad\":\""); res.end("y".repeat(3 * MiB) + "\"}"); },
      (res) => { res.socket?.destroy(); },
    ];
    let next: Array<(res: ServerResponse) => void> = [];
    let good = 0;
    const s: Server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const bad = next.shift();
        if (bad) return bad(res);
        good++;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: true, incarnation: 1, secret: "fake-worker-secret-0001", credential: FAKE_CREDENTIAL }));
      });
    });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    closers.push(() => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); }));
    const url = `http://127.0.0.1:${(s.address() as { port: number }).port}`;
    const transport = new HttpTransport("http://127.0.0.1:9", { fetch: nodeHttpFetch, maxReplyBytes: MiB, timeoutMs: 300 });
    await fc.assert(fc.asyncProperty(fc.array(fc.constantFrom(...bodies), { minLength: 1, maxLength: 4 }), async (bad) => {
      next = [...bad];
      const worker = new Worker({ workerId: "w1", address: "http://127.0.0.1:9/w1", transport, clock: new RealClock(), processors: { p: quick }, retryMs: 1, heartbeatMs: 3_600_000, requestTimeoutMs: 300 });
      try {
        const before = good;
        await worker.join(url);
        expect(next).toEqual([]);
        expect(good).toBeGreaterThan(before); // more than one when a good reply came after the timeout (a busy machine)
      } finally {
        worker.close();
      }
    }), { numRuns: 60, seed: SEED });
  }, FUZZ_TIMEOUT_MS);
});
