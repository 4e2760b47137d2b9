import type { MasterMessage, ReportBatch, TaskReport, WorkerRef } from "../protocol/messages.ts";
import { refuse, type Reply } from "../protocol/replies.ts";
import type { Clock } from "../runtime/clock.ts";
import type { MapTaskMaster } from "./instance/index.ts";
import type { WorkerInfo, WorkerRegistry } from "./worker-registry.ts";
import { errorMessage } from "../errors/error-message.ts";

/** When a worker sends reports again after their write failed (B33). */
const REPORT_RETRY_MS = 200;

/**
 * Answers workers' messages to a master (register, heartbeat, report, map,
 * pull): each names a registered incarnation (B15: an old one gets
 * `unregistered` and registers again) and reaches the instances it concerns.
 */
export class WorkerDesk {
  readonly #registry: WorkerRegistry;
  readonly #clock: Clock;
  readonly #instances: ReadonlyMap<string, MapTaskMaster>;

  /** @param instances the master's running instances, by id (read as they change) */
  constructor(registry: WorkerRegistry, clock: Clock, instances: ReadonlyMap<string, MapTaskMaster>) {
    this.#registry = registry;
    this.#clock = clock;
    this.#instances = instances;
  }

  /** Answers one message. */
  async handle(m: MasterMessage): Promise<Reply> {
    if (m.type === "register") {
      const { info, replaced } = this.#registry.register(m, this.#clock.now());
      if (replaced) for (const i of this.#instances.values()) i.workerGone(replaced, `worker ${replaced.workerId} registered again`);
      for (const i of this.#instances.values()) i.addWorker(info);
      return { ok: true, incarnation: info.incarnation };
    }
    const w = this.#registry.lookup(m.worker);
    if (!w) return unregistered(m.worker);
    w.lastSeen = this.#clock.now();
    switch (m.type) {
      case "heartbeat":
        w.load = m.load;
        for (const i of this.#instances.values()) i.onHeartbeat(w, m.instances);
        return { ok: true };
      case "report":
        w.load = m.load;
        return await this.#report(w, m);
      case "map": {
        const i = this.#instances.get(m.instanceId);
        return i ? i.map(w, m) : notFound(m.instanceId);
      }
      case "pull": {
        const i = this.#instances.get(m.instanceId);
        return i ? i.pull(w, m) : notFound(m.instanceId);
      }
    }
  }

  /**
   * B11: a batch of reports, split by instance; reports for instances not
   * running here are refused. B33: answered only once the writes carrying
   * them are stored (group-committed with the other reports of the moment);
   * when one failed, busy, so the worker keeps the batch and sends it again.
   */
  async #report(w: WorkerInfo, m: ReportBatch): Promise<Reply> {
    const byInstance = new Map<string, TaskReport[]>();
    for (const r of m.reports) {
      const list = byInstance.get(r.instanceId) ?? [];
      list.push(r);
      byInstance.set(r.instanceId, list);
    }
    let applied = 0, refused = 0;
    const durable: Promise<void>[] = [];
    for (const [id, reports] of byInstance) {
      const i = this.#instances.get(id);
      if (!i) { refused += reports.length; continue; }
      const [a, r] = i.applyReports(w, reports);
      applied += a;
      refused += r;
      durable.push(i.reportsDurable());
    }
    try {
      await Promise.all(durable);
    } catch (e) {
      return { ...refuse("busy", `reports not stored: ${errorMessage(e)}`), retryAfterMs: REPORT_RETRY_MS };
    }
    return { ok: true, applied, refused };
  }
}

function unregistered(ref: WorkerRef): Reply {
  return refuse("unregistered", `worker ${ref.workerId} incarnation ${ref.incarnation} is not registered`, "worker");
}

function notFound(instanceId: string): Reply {
  return refuse("not_found", `unknown or finished instance: ${instanceId}`, "instanceId");
}
