// A master endpoint for worker tests: answers every worker message the way a
// master does (register → an incarnation, reports applied, pulls answered from a
// list), unless `next` says otherwise for a message type — a hostile reply, for
// the fuzz tests. It records what it got.
import type { MasterMessage, Message, StartBatch, TaskSpec } from "../../src/protocol/messages.ts";
import type { Reply } from "../../src/protocol/replies.ts";
import type { Transport } from "../../src/protocol/transport.ts";
import { reportsOf, taskColumns } from "../../src/protocol/columns.ts";

/** The fake master and what it saw. */
export interface FakeMaster {
  readonly address: string;
  /** Messages received, in order. */
  readonly got: MasterMessage[];
  /** Task reports received with a final status, by task id. */
  readonly finals: Map<string, number>;
  /** Tasks the next pulls hand out. */
  readonly toPull: TaskSpec[];
  /** Pulls are refused (not_found), as a master refuses them once the instance is over. */
  pullOver: boolean;
  /** One-shot replies by message type (each used once, then the normal answer again). */
  readonly next: Map<Message["type"], unknown[]>;
  /** A start batch from this master to `worker`, incarnation 1. */
  start(workerId: string, instanceId: string, tasks: TaskSpec[], extra?: Partial<StartBatch["instance"]>): StartBatch;
  stop(): void;
}

/** The credential the fake master gives at registration and carries in its messages (H16). */
export const FAKE_CREDENTIAL = "fake-master-credential-0001";

/** Serves a fake master at `address` on `transport`. */
export function fakeMaster(transport: Transport, address = "master"): FakeMaster {
  const got: MasterMessage[] = [];
  const finals = new Map<string, number>();
  const toPull: TaskSpec[] = [];
  const next = new Map<Message["type"], unknown[]>();
  const stop = transport.serve(address, "master", async (m) => {
    got.push(m);
    const queued = next.get(m.type);
    if (queued?.length) return queued.shift() as Reply;
    switch (m.type) {
      case "register": return { ok: true, incarnation: 1, secret: "fake-worker-secret-0001", credential: FAKE_CREDENTIAL };
      case "heartbeat": return { ok: true };
      case "report":
        for (const r of m.reports.flatMap(reportsOf)) if (r.status !== "RUNNING") finals.set(r.taskId, (finals.get(r.taskId) ?? 0) + 1);
        return { ok: true, applied: m.reports.reduce((n, g) => n + g.handles.length, 0), refused: 0 };
      case "map": return { ok: true, stored: m.bodies.length, slowDown: false };
      case "pull":
        // W5: a pull carries reports too.
        for (const r of (m.reports ?? []).flatMap(reportsOf)) if (r.status !== "RUNNING") finals.set(r.taskId, (finals.get(r.taskId) ?? 0) + 1);
        return fake.pullOver ? { ok: false, code: "not_found", error: "instance over" } : { ok: true, tasks: taskColumns(toPull.splice(0, m.max)) };
    }
  });
  const fake: FakeMaster = {
    address, got, finals, toPull, next, stop, pullOver: false,
    start: (workerId, instanceId, tasks, extra = {}) => ({
      type: "start", master: address, credential: FAKE_CREDENTIAL, worker: { workerId, incarnation: 1 }, tasks: taskColumns(tasks),
      instance: { instanceId, serialNum: 1, processor: "p", params: { k: 1 }, consumerSize: 5, ...extra },
    }),
  };
  return fake;
}

/** `n` task specs named LEAF with ids `${prefix}-i`. */
export function tasks(n: number, prefix = "t"): TaskSpec[] {
  return Array.from({ length: n }, (_, i) => ({ handle: i, taskId: `${prefix}-${i}`, name: "LEAF", body: i, attempt: 0 }));
}
