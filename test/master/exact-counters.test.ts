// X1 exact counters: random interleavings of maps at several levels,
// dispatches, late, duplicated and forged reports, worker deaths and
// revivals, refused connections and kills. After every step the counters add
// up; at the end every stored task is final exactly once, in the counters,
// in the store and in what reduce saw.
import { describe, it, expect, afterAll } from "vitest";
import fc from "fast-check";
import { Cluster } from "./harness.ts";
import { Gate } from "./processors.ts";
import { heldByRecords, recordedHolders } from "./dispatch-holds.ts";
import { defineMapReduce, type JsonValue, type TaskContext, type TaskResult } from "../../src/index.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { TransportError } from "../../src/protocol/transport.ts";
import type { Message, TaskReport, WorkerRef } from "../../src/protocol/messages.ts";
import type { InstanceProgress } from "../../src/master/index.ts";
import type { ResultRow, StatusCount } from "../../src/store/task-store.ts";
import type { Worker } from "../../src/worker/index.ts";
import { INIT, PULLED, RUNNING, SUCCESS, FAILED } from "../../core-as/shared/constants.ts";
import { reportColumns, reportsOf, tasksOf } from "../../src/protocol/columns.ts";
import type { Reply } from "../../src/protocol/replies.ts";

// ---------------------------------------------------------------------------
// The generated case
// ---------------------------------------------------------------------------

/** How a task ends once it has mapped its children. */
type Outcome = "ok" | "fail" | "throw" | "gate";
/** One task of the tree: its map calls (name and children), then its outcome. */
interface Node { out: Outcome; maps: Array<{ name: string; kids: Node[] }> }

type Step =
  | { t: "advance"; ms: number }
  | { t: "release"; pick: number; ok: boolean }
  | { t: "replay"; pick: number; as: TaskReport["status"] | null }
  | { t: "delay"; w: number; on: boolean }
  | { t: "deliver"; pick: number; all: boolean }
  | { t: "killWorker"; w: number }
  | { t: "revive"; w: number }
  | { t: "refuse"; w: number; on: boolean }
  | { t: "killTask"; pick: number }
  | { t: "kill" };

interface Settings {
  failover: boolean;
  dispatchMode: "push" | "pull";
  route: "round-robin" | "worker-load";
  execOnMaster: boolean;
  pageSize: number;
  consumerSize: number;
  dispatchers: number;
  queueSize: number;
  globalConsumerSize: number;
  taskMaxAttempts: number;
  taskRetryDelay: number;
  taskRetryBackoff: "fixed" | "exponential";
  taskTimeout: number | null;
}

interface Case { tree: Node; settings: Settings; steps: Step[] }

const WORKERS = 3;
/** Most tasks in one tree, ROOT included. */
const MAX_TASKS = 60;
const INSTANCE_KILL = "instance-kill", TASK_KILL = "task-kill";

const outcomeArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Outcome>("ok") },
  { weight: 4, arbitrary: fc.constant<Outcome>("gate") },
  { weight: 1, arbitrary: fc.constant<Outcome>("fail") },
  { weight: 1, arbitrary: fc.constant<Outcome>("throw") },
);
const nameArb = fc.constantFrom("A", "B", "C");

function nodeArb(depth: number): fc.Arbitrary<Node> {
  if (depth === 0) return outcomeArb.map((out) => ({ out, maps: [] }));
  return fc.record({
    out: outcomeArb,
    maps: fc.array(fc.record({ name: nameArb, kids: fc.array(nodeArb(depth - 1), { maxLength: 4 }) }), { maxLength: 2 }),
  });
}

/** Cuts a tree to at most `budget` tasks, breadth first. */
function prune(root: Node, budget: number): Node {
  const copy = JSON.parse(JSON.stringify(root)) as Node;
  let left = budget - 1;
  const queue = [copy];
  while (queue.length > 0) {
    const n = queue.shift()!;
    for (const m of n.maps) {
      m.kids = m.kids.slice(0, Math.max(0, left));
      left -= m.kids.length;
      queue.push(...m.kids);
    }
  }
  return copy;
}

/** The tree with "fail" and "throw" turned into "ok" (two cases in three), so SUCCESS stays reachable. */
function withoutFailures(n: Node): Node {
  return { out: n.out === "fail" || n.out === "throw" ? "ok" : n.out, maps: n.maps.map((m) => ({ name: m.name, kids: m.kids.map(withoutFailures) })) };
}

const treeArb = fc.tuple(
  fc.nat(2).map((n) => n === 0), // a third of the trees have failing tasks
  fc.record({
    out: outcomeArb,
    maps: fc.array(fc.record({ name: nameArb, kids: fc.array(nodeArb(2), { minLength: 1, maxLength: 6 }) }), { minLength: 1, maxLength: 2 }),
  }),
).map(([faulty, tree]) => prune(faulty ? tree : withoutFailures(tree), MAX_TASKS));

const workerArb = fc.integer({ min: 0, max: WORKERS - 1 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 60, arbitrary: fc.record({ t: fc.constant("advance" as const), ms: fc.constantFrom(1, 20, 200, 600, 1500, 3500) }) },
  { weight: 40, arbitrary: fc.record({ t: fc.constant("release" as const), pick: fc.nat(), ok: fc.nat(4).map((n) => n > 0) }) },
  { weight: 25, arbitrary: fc.record({ t: fc.constant("replay" as const), pick: fc.nat(), as: fc.constantFrom(null, null, "RUNNING" as const, "SUCCESS" as const, "FAILED" as const) }) },
  { weight: 20, arbitrary: fc.record({ t: fc.constant("delay" as const), w: workerArb, on: fc.nat(2).map((n) => n > 0) }) },
  { weight: 25, arbitrary: fc.record({ t: fc.constant("deliver" as const), pick: fc.nat(), all: fc.nat(2).map((n) => n === 0) }) },
  { weight: 10, arbitrary: fc.record({ t: fc.constant("killWorker" as const), w: workerArb }) },
  { weight: 10, arbitrary: fc.record({ t: fc.constant("revive" as const), w: workerArb }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constant("refuse" as const), w: workerArb, on: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant("killTask" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ t: "kill" as const }) },
);

const settingsArb: fc.Arbitrary<Settings> = fc.record({
  failover: fc.boolean(),
  dispatchMode: fc.constantFrom("push" as const, "pull" as const),
  route: fc.constantFrom("round-robin" as const, "worker-load" as const),
  execOnMaster: fc.boolean(),
  pageSize: fc.integer({ min: 1, max: 4 }),
  consumerSize: fc.integer({ min: 1, max: 3 }),
  dispatchers: fc.integer({ min: 1, max: 3 }),
  queueSize: fc.constantFrom(3, 8, 1000),
  globalConsumerSize: fc.constantFrom(2, 1000),
  // B21, B22: failed runs retried after a delay, and runs that outlive a timeout failed.
  taskMaxAttempts: fc.constantFrom(1, 1, 2, 3),
  taskRetryDelay: fc.constantFrom(50, 700),
  taskRetryBackoff: fc.constantFrom("fixed" as const, "exponential" as const),
  taskTimeout: fc.constantFrom(null, null, 2500),
});

const caseArb: fc.Arbitrary<Case> = fc.record({
  tree: treeArb,
  settings: settingsArb,
  steps: fc.array(stepArb, { minLength: 3, maxLength: 30 }),
});

// ---------------------------------------------------------------------------
// The processor: behaviour fixed by the body (a path into the tree in params)
// ---------------------------------------------------------------------------

/** Every task of the tree: taskId → name (the identities the master derives: parent.mapCall.index). */
function treeIds(tree: Node): Map<string, string> {
  const out = new Map<string, string>([["r", "ROOT"]]);
  const walk = (n: Node, id: string) => n.maps.forEach((m, c) => m.kids.forEach((k, i) => {
    out.set(`${id}.${c}.${i}`, m.name);
    walk(k, `${id}.${c}.${i}`);
  }));
  walk(tree, "r");
  return out;
}

function nodeAt(tree: Node, path: number[]): Node {
  let n = tree;
  for (let i = 0; i < path.length; i += 2) n = n.maps[path[i]!]!.kids[path[i + 1]!]!;
  return n;
}

/** What the processor saw: children it mapped (the map resolved), and the rows reduce read. */
interface Seen { mapped: Map<string, string>; reduced: TaskResult[] | null; attempts: number }

function treeProcessor(gate: Gate, seen: Seen) {
  return defineMapReduce<{ tree: Node } & { [k: string]: JsonValue }>({
    async process(ctx: TaskContext) {
      const tree = (ctx.params as unknown as { tree: Node }).tree;
      const path = ctx.isRoot ? [] : (ctx.body as number[]);
      const node = nodeAt(tree, path);
      if (ctx.attempt > 0) seen.attempts++;
      for (let c = 0; c < node.maps.length; c++) {
        const m = node.maps[c]!;
        await ctx.map(m.kids.map((_, i) => [...path, c, i]), m.name);
        m.kids.forEach((_, i) => seen.mapped.set(`${ctx.taskId}.${c}.${i}`, m.name));
      }
      switch (node.out) {
        case "ok": return { ok: true, result: ctx.taskId };
        case "fail": return { ok: false, result: `${ctx.taskId} says no` };
        case "throw": throw new Error(`${ctx.taskId} threw`);
        case "gate": return gate.wait(ctx);
      }
    },
    async reduce(ctx) {
      const rows: TaskResult[] = [];
      for await (const r of ctx.results) rows.push(r);
      seen.reduced = rows;
      return { ok: true, result: { rows: rows.length } };
    },
    runReduceIfFail: true,
  });
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

type NameCounts = InstanceProgress["names"][string];

/** total = init + pulled + running + success + failed per name; per worker without init; nothing negative. */
function checkCounters(p: Pick<InstanceProgress, "names" | "workers">, where: string): void {
  let namesHeld = 0, workersHeld = 0;
  for (const [name, n] of Object.entries(p.names)) {
    for (const [k, v] of Object.entries(n)) expect(v, `${where}: ${name}.${k} >= 0`).toBeGreaterThanOrEqual(0);
    expect(n.total, `${where}: ${name} total = init + pulled + running + success + failed (${JSON.stringify(n)})`)
      .toBe(n.init + n.pulled + n.running + n.success + n.failed);
    namesHeld += n.pulled + n.running;
  }
  for (const [key, w] of Object.entries(p.workers)) {
    for (const k of ["total", "pulled", "running", "success", "failed"] as const) expect(w[k], `${where}: worker ${key}.${k} >= 0`).toBeGreaterThanOrEqual(0);
    expect(w.total, `${where}: worker ${key} total = pulled + running + success + failed (${JSON.stringify(w)})`)
      .toBe(w.pulled + w.running + w.success + w.failed);
    workersHeld += w.pulled + w.running;
  }
  // Every task out on a worker is counted on exactly one worker.
  expect(workersHeld, `${where}: tasks held per name = tasks held per worker`).toBe(namesHeld);
}

/**
 * X1: the store agrees with the counters. Dispatch marks no row (B3): a task out on a worker is an INIT
 * row, and the dispatch records say which worker holds it — every task the counters have on a worker
 * other than the master's own, as many per worker as its records name (the own worker has none: it
 * restarts with the master).
 */
function checkAgainstStore(p: InstanceProgress, counts: StatusCount[], held: Map<string, number>, where: string): void {
  const store = new Map<string, number[]>();
  for (const c of counts) {
    const v = store.get(c.name) ?? [0, 0, 0, 0, 0, 0];
    v[c.status] = c.count;
    store.set(c.name, v);
  }
  const names = new Set([...store.keys(), ...Object.keys(p.names)]);
  names.delete("REDUCE");
  for (const name of names) {
    const s = store.get(name) ?? [0, 0, 0, 0, 0, 0];
    const n = p.names[name] ?? { total: 0, init: 0, pulled: 0, running: 0, success: 0, failed: 0 };
    expect({ total: n.total, unfinished: n.init + n.pulled + n.running, success: n.success, failed: n.failed }, `${where}: counters of ${name} = store`)
      .toEqual({ total: s[INIT]! + s[SUCCESS]! + s[FAILED]!, unfinished: s[INIT], success: s[SUCCESS], failed: s[FAILED] });
    expect(s[PULLED]! + s[RUNNING]!, `${where}: no ${name} row marked as handed out`).toBe(0);
  }
  const onWorkers: Record<string, number> = {};
  for (const [key, w] of Object.entries(p.workers)) {
    // The master's own worker too: its records tell a restarted master what it lost (B28).
    if (w.pulled + w.running > 0) onWorkers[key] = w.pulled + w.running;
  }
  expect(Object.fromEntries(held), `${where}: the dispatch records hold what the counters have on each worker`).toEqual(onWorkers);
}

function countBy<T>(items: Iterable<T>, key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return out;
}

// ---------------------------------------------------------------------------
// One run
// ---------------------------------------------------------------------------

/** What the runs went through (printed with X1_STATS=1), to see the property reaches what it claims to. */
const stats: Record<string, number> = {};
const tally = (k: string, n = 1) => { stats[k] = (stats[k] ?? 0) + n; };

async function runCase(k: Case): Promise<void> {
  const env = process.env;
  const gate = new Gate();
  const seen: Seen = { mapped: new Map(), reduced: null, attempts: 0 };
  const store = new MemoryStore();

  // Every child the store ever accepted (insert is idempotent per taskId: a second insert is a no-op).
  const stored = new Map<string, string>();
  const taskOfSeq = new Map<number, string>();
  const insert = store.insertTasks.bind(store);
  store.insertTasks = async (fence, tasks) => {
    const mask = await insert(fence, tasks);
    tasks.forEach((t, i) => {
      if (!mask[i]) return;
      expect(stored.has(t.taskId), `${t.taskId} stored twice`).toBe(false);
      stored.set(t.taskId, t.name);
      taskOfSeq.set(t.seq, t.taskId);
    });
    return mask;
  };
  // Rows a dispatch record says a worker holds (B27): each must have been handed to that worker.
  const marked: Array<{ seq: number; worker: string | null }> = [];
  const recordDispatch = store.recordDispatch.bind(store);
  store.recordDispatch = (fence, record) => {
    for (const seq of record.seqs) marked.push({ seq, worker: record.worker });
    return recordDispatch(fence, record);
  };
  // The rows as they were when the instance cleared them: final state, straight from the store.
  let finalRows: ResultRow[] | null = null;
  const clear = store.clearTasks.bind(store);
  store.clearTasks = async (fence) => {
    const rows: ResultRow[] = [];
    for await (const r of store.results(fence.instanceId)) rows.push(r);
    finalRows = rows;
    return clear(fence);
  };

  const c = new Cluster({ processors: { tree: treeProcessor(gate, seen) }, workers: WORKERS, store });
  const net = c.network;
  const send = net.request.bind(net);
  // Reports as workers sent them (to replay later), and messages "delivered late": the
  // worker saw a timeout and sends again; the master gets the first copy when the test says.
  const captured: Array<{ worker: WorkerRef; report: TaskReport }> = [];
  const late: Array<{ to: string; msg: Message }> = [];
  const delaying = new Set<string>();
  /** `taskId@workerKey` of every task sent in a start batch or a pull reply. */
  const handedOut = new Set<string>();
  net.request = (async (to: string, msg: Message, opts?: { timeoutMs?: number }) => {
    // W5: pulls carry reports too.
    const carried = msg.type === "report" ? msg.reports : msg.type === "pull" ? msg.reports ?? [] : [];
    if (msg.type === "report" || msg.type === "pull") for (const r of carried.flatMap(reportsOf)) captured.push({ worker: { ...msg.worker }, report: { ...r } });
    if (msg.type === "start") for (const t of tasksOf(msg.tasks)) handedOut.add(`${t.taskId}@${msg.worker.workerId}#${msg.worker.incarnation}`);
    if ((msg.type === "report" || msg.type === "map") && delaying.has(msg.worker.workerId)) {
      late.push({ to, msg: JSON.parse(JSON.stringify(msg)) as Message });
      throw new TransportError("timeout", to, "delivered late by the test");
    }
    const reply = await send(to, msg, opts);
    if (msg.type === "pull" && reply.ok && "tasks" in reply) {
      for (const t of tasksOf(reply.tasks)) handedOut.add(`${t.taskId}@${msg.worker.workerId}#${msg.worker.incarnation}`);
    }
    // W4: start batches riding on a report's reply.
    ridden(msg, reply);
    return reply;
  }) as typeof net.request;
  /** W4: the batches that rode on a report's reply were sent to its worker, whether or not the reply reached it. */
  const ridden = (msg: Message, reply: Reply) => {
    if (msg.type === "report" && reply.ok && "batches" in reply) {
      for (const b of reply.batches ?? []) for (const t of tasksOf(b.tasks)) handedOut.add(`${t.taskId}@${msg.worker.workerId}#${msg.worker.incarnation}`);
    }
  };
  /** A late message reaches the master; its reply reaches no one (the worker gave up on it). */
  const deliverLate = (m: { to: string; msg: Message }) => send(m.to, m.msg).then((r) => { ridden(m.msg, r); return r; });

  // Requests the test started and does not wait for (they may wait on the clock).
  let open = 0;
  const background = (p: Promise<unknown>) => {
    open++;
    void p.catch(() => undefined).finally(() => { open--; });
  };

  const live: Array<Worker | null> = [...c.workers];
  const refusing = new Set<string>();
  let killRequested = false, killMustTakeEffect = false, tasksKilled = false, forged = false;

  await c.start();
  try {
    const id = await c.master.submit({
      processor: "tree", params: { tree: k.tree } as unknown as JsonValue,
      settings: { ...k.settings, heartbeatMs: 500, livenessTimeoutMs: 3000, statusCheckMs: 1000, progressMs: 60_000, pullWaitMs: 500 },
    });
    let last: Record<string, NameCounts> = {};
    const check = async (where: string) => {
      const p = c.master.progress(id);
      if (!p) return;
      checkCounters(p, where);
      checkAgainstStore(p, await store.countByStatus(id), await heldByRecords(store, id), where);
      // A task is final once: totals, successes and failures never go down.
      for (const [name, n] of Object.entries(p.names)) {
        const before = last[name];
        if (!before) continue;
        expect(n.total, `${where}: ${name} total never shrinks`).toBeGreaterThanOrEqual(before.total);
        expect(n.success, `${where}: ${name} success never shrinks`).toBeGreaterThanOrEqual(before.success);
        expect(n.failed, `${where}: ${name} failed never shrinks`).toBeGreaterThanOrEqual(before.failed);
      }
      last = p.names;
    };

    await c.clock.advance(0);
    await check("after submit");
    for (let i = 0; i < k.steps.length; i++) {
      const s = k.steps[i]!;
      const where = `step ${i} ${JSON.stringify(s)}`;
      switch (s.t) {
        case "advance":
          await c.clock.advance(s.ms);
          break;
        case "release": {
          const waiting = gate.waiting;
          if (waiting.length > 0) {
            const taskId = waiting[s.pick % waiting.length]!;
            gate.release(taskId, s.ok, s.ok ? taskId : `${taskId} released as failed`);
          }
          break;
        }
        case "replay": {
          if (captured.length === 0) break;
          const { worker, report } = captured[s.pick % captured.length]!;
          const r: TaskReport = { ...report, status: s.as ?? report.status };
          if (s.as !== null && s.as !== report.status) forged = true;
          // Stale by the store: finished, another attempt (failed over or retried since: the row holds the next
          // one), or another worker by the dispatch records (B27) → must not apply.
          const row = await store.getTask(id, r.taskId);
          const holder = row ? (await recordedHolders(store, id)).get(row.seq) : undefined;
          const stale = !row || row.status === SUCCESS || row.status === FAILED || row.attempt !== r.attempt
            || (holder !== undefined && holder.attempt === row.attempt && holder.worker !== `${worker.workerId}#${worker.incarnation}`)
            || r.serialNum !== 1;
          const replay: Message = { type: "report", worker, load: { freeSlots: 1, cpuFree: null, memFree: null }, reports: reportColumns([r]) };
          const reply = await send("master", replay);
          ridden(replay, reply); // W4: a batch may ride on the reply to the replayed report: the worker gets it again later, or it times out
          tally(reply.ok && "applied" in reply && reply.applied > 0 ? "replay applied" : stale ? "replay stale, refused" : "replay refused");
          if (stale) expect(reply.ok && "applied" in reply ? reply.applied : 0, `${where}: stale report ${JSON.stringify(r)} applied (row ${JSON.stringify(row)})`).toBe(0);
          break;
        }
        case "delay": {
          const wid = `w${s.w + 1}`;
          if (s.on) delaying.add(wid);
          else delaying.delete(wid);
          break;
        }
        case "deliver": {
          // One held message, or all of them newest first.
          const picked = s.all ? late.splice(0).reverse() : late.length > 0 ? late.splice(s.pick % late.length, 1) : [];
          for (const m of picked) {
            tally(`late ${m.msg.type} delivered`);
            background(deliverLate(m));
          }
          break;
        }
        case "killWorker": {
          const w = live[s.w];
          if (!w) break;
          net.fault(w.address, "hang"); // stops answering, like SIGSTOP
          w.close(); // and sends nothing more
          live[s.w] = null;
          tally("worker killed");
          break;
        }
        case "revive": {
          const dead = live.flatMap((w, i) => (w ? [] : [i]));
          if (dead.length === 0) break;
          const i = dead[s.w % dead.length]!;
          const w = c.addWorker(`w${i + 1}`); // the same worker id, a new process and address
          await w.join("master");
          live[i] = w;
          tally("worker revived");
          break;
        }
        case "refuse": {
          const w = live[s.w];
          if (!w) break;
          net.fault(w.address, s.on ? "refused" : undefined);
          if (s.on) refusing.add(w.address);
          else refusing.delete(w.address);
          break;
        }
        case "killTask": {
          const ids = [...stored.keys()];
          if (ids.length === 0) break;
          tasksKilled = true;
          background(c.master.killTask(id, ids[s.pick % ids.length]!, TASK_KILL));
          break;
        }
        case "kill": {
          const p = c.master.progress(id);
          if (!p) break;
          killRequested = true;
          // With tasks unfinished the instance cannot be finishing yet: the kill must win.
          if (Object.values(p.names).some((n) => n.init + n.pulled + n.running > 0)) killMustTakeEffect = true;
          background(c.master.kill(id, INSTANCE_KILL));
          break;
        }
      }
      await c.clock.advance(0);
      await check(where);
    }

    // The end: the network heals, late messages arrive, every waiting task may end.
    delaying.clear();
    for (const a of refusing) net.fault(a, undefined);
    for (const m of late.splice(0)) {
      tally(`late ${m.msg.type} delivered at the end`);
      background(deliverLate(m));
    }
    gate.open();
    await c.clock.advance(0);
    await check("after healing");
    const v = await c.finish(id, 60_000).catch(async (e: unknown) => {
      // X1_DEBUG=1: an instance that never ends prints where it stopped.
      if (env.X1_DEBUG) {
        const rows = [];
        for (const t of stored.keys()) rows.push(await store.getTask(id, t));
        console.log("X1 STUCK", JSON.stringify({ progress: c.master.progress(id), gate: gate.waiting, rows }, null, 1));
      }
      throw e;
    });
    await c.clock.until(() => open === 0, 60_000);
    expect(c.master.progress(id)).toBeNull();

    // ---- the final record ----
    const rec = (await store.getInstance(id))!;
    expect(v.status).toBe(rec.status);
    const progress = rec.progress!;
    checkCounters(progress, "final");
    const names = progress.names;
    for (const [name, n] of Object.entries(names)) {
      expect({ name, init: n.init, pulled: n.pulled, running: n.running, final: n.success + n.failed })
        .toEqual({ name, init: 0, pulled: 0, running: 0, final: n.total });
    }
    for (const [key, w] of Object.entries(progress.workers)) expect({ key, held: w.pulled + w.running }).toEqual({ key, held: 0 });

    // Each stored task is counted once, under its name: total per name = distinct children stored.
    const storedByName = countBy(stored.values(), (n) => n);
    const counted: Record<string, number> = {};
    for (const [name, n] of Object.entries(names)) if (name !== "REDUCE") counted[name] = n.total;
    expect(counted).toEqual(storedByName);

    // What the processor mapped was stored; nothing outside the tree was; with failover on and
    // nothing killed or forged, the whole tree was (X2).
    const tree = treeIds(k.tree);
    for (const [taskId, name] of seen.mapped) expect(stored.get(taskId), `mapped ${taskId} stored`).toBe(name);
    for (const [taskId, name] of stored) expect(tree.get(taskId), `stored ${taskId} is in the tree`).toBe(name);
    // A run cut short by taskTimeout is a kill of that run: the children it had still to map are not stored.
    const clean = k.settings.failover && !killRequested && !tasksKilled && !forged && k.settings.taskTimeout === null;
    if (clean) expect([...tree.keys()].filter((t) => !stored.has(t)), `clean run (${rec.status} ${JSON.stringify(rec.result)}): every child of the tree stored`).toEqual([]);

    // The store's final rows: every stored task once, final, and the counters rebuilt from them are the counters.
    if (finalRows === null) {
      // B25: not cleared — the default retainTasks "failed" keeps a failed instance's tasks for inspection and a retry.
      expect(rec.status, "tasks kept at the end only when the instance failed").toBe("FAILED");
      const kept: ResultRow[] = [];
      for await (const r of store.results(id)) kept.push(r);
      finalRows = kept;
    }
    const rows = finalRows! as ResultRow[];
    expect(rows.map((r) => r.taskId).sort()).toEqual([...stored.keys()].sort());
    for (const r of rows) expect([SUCCESS, FAILED], `${r.taskId} final`).toContain(r.status);
    for (const [name, n] of Object.entries(names)) {
      if (name === "REDUCE") continue;
      const mine = rows.filter((r) => r.name === name);
      expect({ name, success: mine.filter((r) => r.status === SUCCESS).length, failed: mine.filter((r) => r.status === FAILED).length })
        .toEqual({ name, success: n.success, failed: n.failed });
    }

    // The dispatch records named only tasks handed to that very worker incarnation.
    for (const m of marked) {
      const taskId = taskOfSeq.get(m.seq);
      expect(taskId !== undefined && handedOut.has(`${taskId}@${m.worker}`), `seq ${m.seq} (${taskId}) recorded on ${m.worker} but never handed to it`).toBe(true);
    }

    tally(`${k.settings.dispatchMode}/${k.settings.route}/failover ${k.settings.failover}`);
    tally(`status ${rec.status}${rec.result === `killed: ${INSTANCE_KILL}` ? " (killed)" : ""}`);
    if (clean) tally("clean run (whole tree stored)");
    if (stored.size < tree.size) tally("tree partly stored");
    if (seen.attempts > 0) tally("runs with a task re-run (attempt > 0)");
    tally("tasks", stored.size + 1);

    // ---- the instance status ----
    const failed = Object.entries(names).reduce((a, [name, n]) => a + (name === "REDUCE" ? 0 : n.failed), 0);
    const killed = rec.result === `killed: ${INSTANCE_KILL}`;
    if (killMustTakeEffect) expect(killed, "a kill with tasks unfinished kills").toBe(true);
    if (killed) {
      expect(killRequested).toBe(true);
      expect(rec.status).toBe("FAILED");
      expect(names.REDUCE).toBeUndefined(); // no reduce after a kill
      expect(seen.reduced).toBeNull();
    } else {
      expect(rec.status).toBe(failed === 0 ? "SUCCESS" : "FAILED");
      // runReduceIfFail: reduce ran either way, once, and read every task as the store ended it.
      expect(names.REDUCE, `${rec.status} ${JSON.stringify(rec.result)}: reduce ran`).toEqual({ total: 1, init: 0, pulled: 0, running: 0, success: 1, failed: 0 });
      expect(seen.reduced!.map((r) => `${r.taskId}:${r.status}`).sort()).toEqual(rows.map((r) => `${r.taskId}:${r.status === SUCCESS ? "SUCCESS" : "FAILED"}`).sort());
      if (rec.status === "SUCCESS") expect(rec.result).toEqual({ rows: rows.length });
    }
  } finally {
    c.close();
  }
}

describe("X1 store and counters agree", () => {
  it("X1/B27: in pull mode the dispatch record names the task it handed out, even when that task ends and its slot is reused before the write lands", async () => {
    // P holds w1's only slot while its map of Y waits in the store; w9 joins and pulls X, which
    // ends at once and frees its table slot; then Y's insert lands and Y takes that slot. The
    // record for X, queued behind Y's insert, must still name X, not what holds the slot now.
    const store = new MemoryStore();
    let releaseY!: () => void;
    const yHeld = new Promise<void>((r) => { releaseY = r; });
    const taskOfSeq = new Map<number, string>();
    const insert = store.insertTasks.bind(store);
    store.insertTasks = async (fence, tasks) => {
      for (const t of tasks) taskOfSeq.set(t.seq, t.taskId);
      if (tasks[0]?.name === "Y") await yHeld;
      return insert(fence, tasks);
    };
    const marks: string[] = [];
    const recordDispatch = store.recordDispatch.bind(store);
    store.recordDispatch = (fence, record) => {
      for (const seq of record.seqs) marks.push(`${taskOfSeq.get(seq)}@${record.worker}`);
      return recordDispatch(fence, record);
    };
    const p = defineMapReduce({
      async process(ctx) {
        // ROOT maps P (body 0) and X (body 1) in one batch; P maps Y.
        if (ctx.isRoot) await ctx.map([0, 1], "P");
        else if (ctx.taskName === "P" && ctx.body === 0) await ctx.map([0], "Y");
        return { ok: true, result: ctx.taskId };
      },
      reduce: () => ({ ok: true }),
    });
    const c = await new Cluster({ processors: { p }, workers: 1, store }).start();
    const id = await c.master.submit({ processor: "p", settings: { dispatchMode: "pull", consumerSize: 1, pageSize: 1, execOnMaster: false } });
    await c.clock.advance(1);
    const w9 = c.addWorker("w9");
    await w9.join("master");
    await c.clock.advance(1);
    // X ran on w9 and ended (its writes wait behind Y's insert, so the counters tell).
    expect(c.master.progress(id)!.names.P).toMatchObject({ running: 1, success: 1 });
    releaseY();
    const v = await c.finish(id);
    expect(v.status).toBe("SUCCESS");
    const w9Key = Object.keys(v.progress!.workers).find((k) => k.startsWith("w9#"))!;
    // w9 was handed X, then Y: its records named exactly those, in that order.
    expect(marks.filter((m) => m.endsWith(`@${w9Key}`))).toEqual([`r.0.1@${w9Key}`, `r.0.0.0.0@${w9Key}`]);
    c.close();
  });
});

describe("X1 exact counters", () => {
  afterAll(() => { if (process.env.X1_STATS) console.log("X1 STATS", JSON.stringify(stats, null, 1)); });
  // X1_RUNS, X1_SEED and X1_PATH (as fast-check prints them) replay a failure; X1_TIMEOUT=ms fails a run that takes longer
  // (to find one that hangs); X1_STATS=1 prints what the runs went through; X1_DEBUG=1 prints the rows of one that hung.
  it("X1: through random maps, dispatches, late, duplicated and forged reports, worker deaths, revivals, kills, retries (B21) and timeouts (B22), the counters add up at every step and every task is final exactly once", async () => {
    const env = process.env;
    await fc.assert(fc.asyncProperty(caseArb, runCase), {
      numRuns: Number(env.X1_RUNS ?? 150),
      ...(env.X1_SEED === undefined ? {} : { seed: Number(env.X1_SEED) }),
      ...(env.X1_PATH === undefined ? {} : { path: env.X1_PATH }),
      ...(env.X1_TIMEOUT === undefined ? {} : { timeout: Number(env.X1_TIMEOUT) }),
    });
  });
});
