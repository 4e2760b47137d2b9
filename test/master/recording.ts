// Test helpers that watch what crosses the network and the store.
import type { Message } from "../../src/protocol/messages.ts";
import type { InProcessNetwork } from "../../src/protocol/in-process.ts";
import type { TaskStore } from "../../src/store/task-store.ts";
import { tasksOf } from "../../src/protocol/columns.ts";

/**
 * Records every request sent through `net` (and how many were in flight at most, per type). A
 * start batch that rode on a report's reply (W4) is recorded as a start sent to its worker — at
 * its address among `workers` — when the reply comes, once per batch id.
 */
export function recordRequests(net: InProcessNetwork, workers: ReadonlyArray<{ workerId: string; address: string }> = []) {
  const rode = new Set<number>();
  const sent: Array<{ to: string; msg: Message }> = [];
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const original = net.request.bind(net);
  net.request = (async (to: string, msg: Message, opts?: { timeoutMs?: number }) => {
    sent.push({ to, msg: JSON.parse(JSON.stringify(msg)) as Message });
    // Start batches are also counted per task name ("start:CHILD").
    const keys = msg.type === "start" && msg.tasks.handles.length ? [msg.type, `start:${tasksOf(msg.tasks)[0]!.name}`] : [msg.type];
    for (const k of keys) {
      const n = (inFlight.get(k) ?? 0) + 1;
      inFlight.set(k, n);
      maxInFlight.set(k, Math.max(n, maxInFlight.get(k) ?? 0));
    }
    try {
      const reply = await original(to, msg, opts);
      if (msg.type === "report" && reply.ok && "batches" in reply && reply.batches) {
        const address = workers.find((w) => w.workerId === msg.worker.workerId)?.address ?? msg.worker.workerId;
        for (const b of reply.batches) {
          if (rode.has(b.id)) continue;
          rode.add(b.id);
          sent.push({ to: address, msg: JSON.parse(JSON.stringify({
            type: "start", master: to, credential: "", instance: b.instance, worker: { workerId: msg.worker.workerId, incarnation: msg.worker.incarnation }, tasks: b.tasks,
          })) as Message });
        }
      }
      return reply;
    } finally {
      for (const k of keys) inFlight.set(k, inFlight.get(k)! - 1);
    }
  }) as typeof net.request;
  return { sent, maxInFlight, ofType: <T extends Message["type"]>(t: T) => sent.filter((s) => s.msg.type === t) as Array<{ to: string; msg: Extract<Message, { type: T }> }> };
}

/** Counts calls per store method; `failing` makes named methods throw (for persistence-failure tests). */
export function instrumentStore<S extends TaskStore>(store: S) {
  const calls = new Map<string, number>();
  const failing = new Map<string, number>();
  for (const name of ["insertTasks", "updateStatuses", "claimInit", "failUnfinished", "clearTasks", "updateInstance", "recordDispatch"] as const) {
    const original = (store[name] as (...a: unknown[]) => Promise<unknown>).bind(store);
    (store as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      const f = failing.get(name) ?? 0;
      if (f > 0) {
        failing.set(name, f - 1);
        throw new Error(`injected ${name} failure`);
      }
      return original(...args);
    };
  }
  return { store, calls, failing };
}
