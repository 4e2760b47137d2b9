/**
 * The Transport conformance suite: what every implementation of
 * src/protocol/transport.ts promises, run against each (in-process, HTTP,
 * MessagePort). Like the store suite it depends on no test runner — only
 * `node:assert/strict` — and each test makes its own network and closes it.
 * Timeouts run on the network's manual clock when the transport takes a
 * clock; only a transport without one (HTTP) spends real time on them.
 */
import assert from "node:assert/strict";
import type { MasterMessage, Message } from "../../src/protocol/messages.ts";
import { RefusalCode, refuse, type Reply } from "../../src/protocol/replies.ts";
import { TransportError, type Handler, type Transport } from "../../src/protocol/transport.ts";
import type { ManualClock } from "../../src/runtime/clock.ts";
import { roleOf, SAMPLE_MESSAGES, SAMPLE_REPLIES } from "./sample-messages.ts";

/** Senders and receivers joined the way one implementation joins them. */
export interface TransportNetwork {
  /** The transport requests are sent with. */
  readonly sender: Transport;
  /** The transport endpoints are served on; the sender itself where one transport does both. */
  readonly receiver: Transport;
  /** The address at which the receiver serves `name`, as the sender reaches it. */
  address(name: string): string;
  /** An address nobody serves (nor will). */
  unserved(): Promise<string>;
  /** The clock the sender's timeouts run on; absent when the transport takes none (they run in real time). */
  readonly clock?: ManualClock;
  /**
   * Makes requests to `address` get no reply. Absent: a handler that never
   * answers does that. Needed where a transport waits for its handler with
   * no timeout.
   */
  hang?(address: string): void;
  /** Stops whatever the network started. */
  close(): Promise<void>;
}

/** What `runTransportSuite` needs from its host. */
export interface TransportSuiteOptions {
  /** Registers one test (vitest's `test`, a wrapper over `Deno.test`, ...). */
  test: (name: string, fn: () => Promise<void>) => void;
  /** A fresh network; each test makes its own and closes it. */
  newNetwork: () => Promise<TransportNetwork>;
  /**
   * What a request to an address gets once it was unserved: a TransportError
   * "refused" (nothing answers there), or a `not_running` refusal where the
   * address still answers but serves nothing. @default "refused"
   */
  afterUnserve?: "refused" | "not_running";
}

type NetTest = (name: string, fn: (net: TransportNetwork) => Promise<void>) => void;

/** A message of each type with one field made invalid, and the field the refusal must name. */
const MALFORMED: Array<[Message["type"], unknown, string]> = [
  ["register", { ...SAMPLE_MESSAGES.register, slots: 0 }, "slots"],
  ["heartbeat", { ...SAMPLE_MESSAGES.heartbeat, worker: { ...SAMPLE_MESSAGES.heartbeat.worker, workerId: "" } }, "worker.workerId"],
  ["report", { ...SAMPLE_MESSAGES.report, reports: [{ ...SAMPLE_MESSAGES.report.reports[0]!, statuses: [4, "DONE"] }] }, "reports.0.statuses.1"],
  ["map", { ...SAMPLE_MESSAGES.map, bodies: undefined }, "bodies"],
  ["pull", { ...SAMPLE_MESSAGES.pull, max: 0 }, "max"],
  ["start", { ...SAMPLE_MESSAGES.start, tasks: { ...SAMPLE_MESSAGES.start.tasks, attempts: [0, -1] } }, "tasks.attempts.1"],
  ["notifyPull", { ...SAMPLE_MESSAGES.notifyPull, pageSize: 0 }, "pageSize"],
  ["killTask", { ...SAMPLE_MESSAGES.killTask, reason: 5 }, "reason"],
  ["killInstance", { ...SAMPLE_MESSAGES.killInstance, instanceId: "" }, "instanceId"],
  ["destroyPool", { ...SAMPLE_MESSAGES.destroyPool, instanceId: "x".repeat(257) }, "instanceId"],
];

/** Serves `handler` on the receiver at `name`, in the role that receives `type`; returns the address and unserve. */
function serve(net: TransportNetwork, name: string, type: Message["type"], handler: (msg: Message) => Promise<Reply>) {
  const address = net.address(name);
  // One handler for either role: the overloads pair each role with its messages' type.
  const unserve = net.receiver.serve(address, roleOf(type) as "master", handler as Handler<MasterMessage>);
  return { address, unserve };
}

/** Rejects with a clear message when `p` has not settled within `ms` of real time: a hang is a failure, not a stuck test. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms); });
  try {
    return await Promise.race([p, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts that `p` rejects with a TransportError of `failure` naming `address`. */
async function rejectsWith(p: Promise<unknown>, failure: TransportError["failure"], address: string, what: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof TransportError, `${what}: expected a TransportError, got ${String(e)}`);
    assert.deepEqual([e.failure, e.address], [failure, address], what);
    return true;
  });
}

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}

/** Registers the Transport conformance tests with `opts.test`. */
export function runTransportSuite(opts: TransportSuiteOptions): void {
  const afterUnserve = opts.afterUnserve ?? "refused";
  const test: NetTest = (name, fn) => {
    opts.test(name, async () => {
      const net = await opts.newNetwork();
      try {
        await fn(net);
      } finally {
        await net.close();
      }
    });
  };

  for (const type of Object.keys(SAMPLE_MESSAGES) as Message["type"][]) {
    test(`${type}: the ${roleOf(type)}'s handler gets the message as sent, and the sender gets the handler's reply`, async (net) => {
      const seen: Message[] = [];
      const { address } = serve(net, `${roleOf(type)}-1`, type, async (msg) => {
        seen.push(msg);
        return SAMPLE_REPLIES[type];
      });
      const reply = await net.sender.request(address, SAMPLE_MESSAGES[type]);
      assert.deepEqual(seen, [SAMPLE_MESSAGES[type]]);
      assert.deepEqual(reply, SAMPLE_REPLIES[type]);
    });
  }

  test("messages and replies cross as JSON: the handler gets its own copy, a Date arrives as its ISO text, undefined fields vanish", async (net) => {
    const sent = structuredClone(SAMPLE_MESSAGES.heartbeat);
    let got: Message | undefined;
    const { address } = serve(net, "master-1", "heartbeat", async (msg) => {
      got = msg;
      return { ok: true, at: new Date(5), gone: undefined } as unknown as Reply;
    });
    const reply = await net.sender.request(address, sent);
    assert.notEqual(got, sent);
    assert.deepEqual(got, SAMPLE_MESSAGES.heartbeat);
    assert.deepEqual(reply, { ok: true, at: "1970-01-01T00:00:00.005Z" });
  });

  test("a malformed message of any type is refused with bad_request naming the field, and its handler never runs", async (net) => {
    let calls = 0;
    const handler = async () => { calls++; return { ok: true } as Reply; };
    const master = serve(net, "master-1", "register", handler).address;
    const worker = serve(net, "worker-1", "start", handler).address;
    for (const [type, msg, field] of MALFORMED) {
      const reply = await net.sender.request(roleOf(type) === "master" ? master : worker, msg as Message);
      assert.equal(reply.ok, false, type);
      assert.deepEqual(!reply.ok && [reply.code, reply.field], ["bad_request", field], type);
      assert.ok(!reply.ok && reply.error.startsWith(`${field}: `), `${type}: ${!reply.ok && reply.error}`);
    }
    assert.equal(calls, 0);
  });

  test("M1: a malformed reply of any type is a TransportError \"server\" naming the field, never a reply the caller trusts", async (net) => {
    const task = { handles: [9], taskIds: ["t-9"], names: ["LEAF"], nameIdx: [0], bodies: [null], attempts: [1] };
    const bad: Array<[Message["type"], unknown, string]> = [
      ["register", { ok: true }, "incarnation"],
      ["register", { ok: true, incarnation: 1, secret: "short", credential: "c0ffee00c0ffee00c0ffee00c0ffee00" }, "secret"],
      ["heartbeat", { ok: "yes" }, "ok"],
      ["report", { ok: true, applied: "1", refused: 0 }, "applied"],
      ["map", { ok: true, stored: 1 }, "slowDown"],
      ["pull", { ok: true }, "tasks"],
      ["pull", { ok: true, tasks: { ...task, attempts: [-1] } }, "tasks.attempts.0"],
      ["pull", { ok: true, tasks: { ...task, nameIdx: [1] } }, "tasks.nameIdx.0"],
      ["pull", { ok: true, tasks: { ...task, taskIds: [] } }, "tasks.taskIds"],
      ["start", { ok: true, accepted: -1 }, "accepted"],
      ["notifyPull", { ok: false, code: "busy", error: "later", retryAfterMs: 1e12 }, "retryAfterMs"],
      ["killTask", { ok: false, error: "no code" }, "code"],
      ["destroyPool", { ok: false, code: "nope", error: "x" }, "code"],
    ];
    let next: unknown;
    const handler = async () => next as Reply;
    const master = serve(net, "master-1", "register", handler).address;
    const worker = serve(net, "worker-1", "start", handler).address;
    for (const [type, reply, field] of bad) {
      next = reply;
      const to = roleOf(type) === "master" ? master : worker;
      await assert.rejects(net.sender.request(to, SAMPLE_MESSAGES[type]), (e: unknown) => {
        assert.ok(e instanceof TransportError, `${type}: expected a TransportError, got ${String(e)}`);
        assert.equal(e.failure, "server", type);
        assert.ok(e.message.includes(`malformed reply to ${type}: ${field}: `), `${type}: ${e.message}`);
        return true;
      });
    }
    // Fields a newer peer adds are kept, not refused.
    next = { ...SAMPLE_REPLIES.register, region: "eu" };
    assert.deepEqual(await net.sender.request(master, SAMPLE_MESSAGES.register), { ...SAMPLE_REPLIES.register, region: "eu" });
  });

  test("an address nobody serves is a TransportError \"refused\" at once, not a hang", async (net) => {
    const nobody = await net.unserved();
    await within(rejectsWith(net.sender.request(nobody, SAMPLE_MESSAGES.heartbeat), "refused", nobody, "heartbeat"), 5000, "a request to nobody");
    await within(rejectsWith(net.sender.request(nobody, SAMPLE_MESSAGES.destroyPool), "refused", nobody, "destroyPool"), 5000, "a request to nobody");
  });

  test("timeoutMs is honoured: a request without a reply within it is a TransportError \"timeout\", and not before", async (net) => {
    const late = deferred<Reply>();
    let calls = 0;
    const { address } = serve(net, "worker-1", "killTask", () => { calls++; return late.promise; });
    net.hang?.(address);
    try {
      const timeoutMs = 300;
      let settled = false;
      const t0 = Date.now();
      const pending = net.sender.request(address, SAMPLE_MESSAGES.killTask, { timeoutMs });
      void pending.then(() => { settled = true; }, () => { settled = true; });
      if (net.clock) {
        await net.clock.advance(timeoutMs - 1);
        assert.equal(settled, false, "settled before its timeout");
        await net.clock.advance(1);
        await within(rejectsWith(pending, "timeout", address, "killTask"), 5000, "the timed-out request");
      } else {
        // No clock to move: the timeout runs in real time, and the transport's own default is far longer.
        await within(rejectsWith(pending, "timeout", address, "killTask"), 5000, "the timed-out request");
        assert.ok(Date.now() - t0 >= timeoutMs - 20, `timed out after ${Date.now() - t0} ms`);
      }
      assert.ok(calls <= 1);
    } finally {
      late.resolve({ ok: true }); // answers after the test: nothing may hold the network open
    }
  });

  test("a handler that throws is a TransportError \"server\"", async (net) => {
    const { address } = serve(net, "master-1", "pull", async () => { throw new Error("the store is gone"); });
    await within(rejectsWith(net.sender.request(address, SAMPLE_MESSAGES.pull), "server", address, "pull"), 5000, "the failed request");
  });

  test(`unserve stops delivery: the handler runs no more and the address answers ${afterUnserve === "refused" ? "a TransportError \"refused\"" : "a not_running refusal"}; it can then be served anew`, async (net) => {
    let first = 0;
    const { address, unserve } = serve(net, "worker-1", "destroyPool", async () => { first++; return { ok: true }; });
    assert.deepEqual(await net.sender.request(address, SAMPLE_MESSAGES.destroyPool), { ok: true });
    unserve();
    const after = net.sender.request(address, SAMPLE_MESSAGES.destroyPool);
    if (afterUnserve === "refused") {
      await within(rejectsWith(after, "refused", address, "after unserve"), 5000, "a request after unserve");
    } else {
      const reply = await within(after, 5000, "a request after unserve");
      assert.deepEqual(!reply.ok && reply.code, "not_running");
    }
    assert.equal(first, 1);
    unserve(); // twice is harmless
    let second = 0;
    const again = net.receiver.serve(address, "worker", async () => { second++; return { ok: true }; });
    assert.deepEqual(await net.sender.request(address, SAMPLE_MESSAGES.destroyPool), { ok: true });
    assert.deepEqual([first, second], [1, 1]);
    unserve(); // the first unserve does not stop the second handler
    assert.deepEqual(await net.sender.request(address, SAMPLE_MESSAGES.destroyPool), { ok: true });
    assert.equal(second, 2);
    again();
  });

  test("serving an address that is served already throws, and the first handler keeps it", async (net) => {
    const { address } = serve(net, "master-1", "heartbeat", async () => ({ ok: true }));
    assert.throws(() => net.receiver.serve(address, "master", async () => refuse("busy", "second handler")), /already served/);
    assert.deepEqual(await net.sender.request(address, SAMPLE_MESSAGES.heartbeat), { ok: true });
  });

  test("a refusal a handler returns reaches the sender unchanged, whatever its code", async (net) => {
    let next: Reply = { ok: true };
    const { address } = serve(net, "master-1", "report", async () => next);
    for (const code of RefusalCode.options) {
      next = code === "busy" ? { ...refuse(code, "come back later", "reports"), retryAfterMs: 2000 } : refuse(code, `refused: ${code} ü`, code === "bad_request" ? "reports.0.taskId" : undefined);
      assert.deepEqual(await net.sender.request(address, SAMPLE_MESSAGES.report), next, code);
    }
  });

  test("concurrent requests each get their own reply, whatever order the handler answers in", async (net) => {
    const n = 16;
    const waiting: Array<{ workerId: string; answer: (r: Reply) => void }> = [];
    const allArrived = deferred<void>();
    const { address } = serve(net, "master-1", "register", (msg) => new Promise<Reply>((answer) => {
      waiting.push({ workerId: (msg as { workerId: string }).workerId, answer });
      if (waiting.length === n) allArrived.resolve();
    }));
    const replies = Array.from({ length: n }, (_, i) =>
      net.sender.request(address, { ...SAMPLE_MESSAGES.register, workerId: `w-${i}` }));
    await within(allArrived.promise, 5000, `${n} requests reaching the handler`);
    // Answered last to first, each with the number in its own worker id.
    const keys = { secret: "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d", credential: "c0ffee00c0ffee00c0ffee00c0ffee00" };
    for (const w of [...waiting].reverse()) w.answer({ ok: true, incarnation: Number(w.workerId.slice(2)), ...keys });
    assert.deepEqual(await Promise.all(replies), Array.from({ length: n }, (_, i) => ({ ok: true, incarnation: i, ...keys })));
  });
}
