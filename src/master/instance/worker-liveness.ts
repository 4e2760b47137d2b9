import type { Core } from "../../core/index.ts";
import type { Transport } from "../../protocol/transport.ts";
import type { Clock } from "../../runtime/clock.ts";
import type { WorkerInfo } from "../worker-registry.ts";
import type { DispatchQueue } from "./dispatch-queue.ts";
import { failTasks, type FailContext } from "./fail-tasks.ts";
import { requeueTasks } from "./requeue-tasks.ts";
import type { TaskSlots } from "./task-slots.ts";
import type { TaskWrites } from "./task-writes.ts";
import type { WorkerTable } from "./worker-table.ts";

/** What worker liveness reads of the job's settings. */
export interface LivenessSettings {
  readonly failover: boolean;
  readonly livenessTimeoutMs: number;
}

/** What worker liveness needs of its cycle. */
export interface WorkerLivenessHost extends FailContext {
  readonly instanceId: string;
  readonly core: Core;
  readonly slots: TaskSlots;
  readonly workers: WorkerTable;
  readonly queue: DispatchQueue;
  readonly writes: TaskWrites;
  readonly clock: Clock;
  readonly transport: Transport;
  readonly requestTimeoutMs: number;
  /** The master's address and credential, named in every destroyPool (H16). */
  readonly address: string;
  readonly credential: string;
  readonly settings: LivenessSettings;
  /** The registry's current incarnation of a worker id. */
  currentWorker(workerId: string): WorkerInfo | undefined;
  /** Worker `idx` was shut down and its tasks failed over: dispatch again and see whether the instance is done. */
  lost(idx: number): void;
  /** B28: index `idx` holds tasks for a worker expected back after a master restart: not checked until the wait ends. */
  awaited(idx: number): boolean;
  /** B30: the worker missed the liveness timeout: the master supersedes its incarnation. */
  declaredDead(w: WorkerInfo): void;
}

/**
 * Worker liveness (B14, B15): heartbeats keep a worker alive; one that misses
 * the liveness timeout, registers again, or stops listing the instance while
 * holding its tasks is shut down for this cycle — invalid, out of the alive
 * set, its unfinished tasks failed over (or failed, with failover off).
 */
export class WorkerLiveness {
  readonly #h: WorkerLivenessHost;
  /** Worker index → heartbeats in a row that did not list this instance while it held tasks. */
  readonly #missing = new Map<number, number>();

  constructor(host: WorkerLivenessHost) {
    this.#h = host;
  }

  /** Heartbeat from a worker: load, liveness, and the instances it still runs (B14). */
  onHeartbeat(w: WorkerInfo, instances: readonly string[]): void {
    const h = this.#h;
    const idx = h.workers.indexOf(w.key);
    if (idx === undefined) return;
    h.workers.updateLoad(idx, w);
    if (instances.includes(h.instanceId) || h.workers.held(idx) === 0 || !h.workers.isAlive(idx)) {
      this.#missing.delete(idx);
      return;
    }
    // Absent from two heartbeats in a row while it holds our tasks: it no longer runs us.
    const n = (this.#missing.get(idx) ?? 0) + 1;
    this.#missing.set(idx, n);
    if (n >= 2) {
      this.shutdown(idx, `worker ${w.workerId} no longer runs this instance`);
      this.destroyPoolOn(w);
    }
  }

  /** The periodic check: incarnations replaced or silent past livenessTimeoutMs are shut down. */
  check(): void {
    const h = this.#h;
    const now = h.clock.now();
    for (let idx = 0; idx < h.workers.size; idx++) {
      const w = h.workers.at(idx);
      // A worker made invalid by a failed send may still hold tasks from earlier batches: it is
      // checked until those are failed over, else they would wait for it forever.
      const holds = h.workers.held(idx) > 0;
      if ((!h.workers.isValid(idx) && !holds) || w.isMaster || h.awaited(idx)) continue;
      if (h.currentWorker(w.workerId) !== w) {
        this.shutdown(idx, `worker ${w.workerId} re-registered or left`);
      } else if ((h.workers.isAlive(idx) || holds) && now - w.lastSeen > h.settings.livenessTimeoutMs) {
        this.shutdown(idx, `worker ${w.workerId} missed the liveness timeout (${h.settings.livenessTimeoutMs} ms)`);
        h.declaredDead(w);
      }
    }
  }

  /** B15: invalid, out of the alive set, its unfinished tasks failed over or failed. */
  shutdown(idx: number, reason: string): void {
    const h = this.#h;
    if (!h.workers.isValid(idx) && h.workers.held(idx) === 0) return;
    h.workers.invalidate(idx);
    const handles = h.core.table.scan(idx);
    if (handles.length > 0) {
      // Failover: INIT at the next attempt in memory and the store, so the batch's dispatch record no longer
      // names the task at its attempt, and a restart does not keep it for this worker (B27).
      if (h.settings.failover) requeueTasks(h, handles);
      else {
        // Failover off: they fail for good, each with the reason as its error, listed on the instance (B25).
        failTasks(h, handles, reason);
      }
    }
    h.lost(idx);
  }

  /** Asks a worker to drop its pool for this instance (nothing it reports could count). */
  destroyPoolOn(w: WorkerInfo): void {
    const h = this.#h;
    h.transport.request(w.address, { type: "destroyPool", master: h.address, credential: h.credential, instanceId: h.instanceId }, { timeoutMs: h.requestTimeoutMs })
      .catch(() => undefined);
  }
}
