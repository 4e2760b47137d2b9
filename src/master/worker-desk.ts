import type { Heartbeat, MasterMessage, Pull, ReportBatch, RidingBatch, WorkerRef } from "../protocol/messages.ts";
import type { BatchRides } from "./batch-rides.ts";
import { refuse, type Reply } from "../protocol/replies.ts";
import type { Clock } from "../runtime/clock.ts";
import type { MapTaskMaster } from "./instance/index.ts";
import { heldByInstance, type WorkerInfo, type WorkerRegistry } from "./worker-registry.ts";
import { errorMessage } from "../errors/error-message.ts";

/** When a worker sends reports again after their write failed (B33). */
const REPORT_RETRY_MS = 200;

/** What the desk knows of instances other masters run (X3, B36). */
export interface DeskPeers {
  /** This master's address: the owner a worker is told for the instances it runs. */
  readonly address: string;
  /** The master that runs instance `id`, when another one does (shared masters), else null. */
  ownerOf(id: string): Promise<string | null>;
}

/**
 * Answers workers' messages to a master (register, heartbeat, report, map,
 * pull): each names a registered incarnation with its secret (B15: one this
 * master never gave — it restarted since — or a wrong secret, H14, gets
 * `unregistered` and registers again, listing the tasks it holds, B28; one it
 * replaced or declared dead gets `superseded`, B30) and reaches the instances
 * it concerns.
 */
export class WorkerDesk {
  readonly #registry: WorkerRegistry;
  readonly #clock: Clock;
  readonly #instances: ReadonlyMap<string, MapTaskMaster>;
  /** The master's credential, handed to each worker that registers (H16). */
  readonly #credential: string;
  readonly #peers: DeskPeers | null;
  readonly #rides: BatchRides | null;

  /**
   * @param instances the master's running instances, by id (read as they change)
   * @param credential the master's credential, carried by its messages to workers
   * @param peers how to name the owner of an instance a worker asks about (B36); null: none known
   * @param rides where push batches ride on report replies (W4); null: none do
   */
  constructor(registry: WorkerRegistry, clock: Clock, instances: ReadonlyMap<string, MapTaskMaster>, credential: string, peers: DeskPeers | null = null,
    rides: BatchRides | null = null) {
    this.#rides = rides;
    this.#registry = registry;
    this.#clock = clock;
    this.#instances = instances;
    this.#credential = credential;
    this.#peers = peers;
  }

  /** Answers one message. */
  async handle(m: MasterMessage): Promise<Reply> {
    if (m.type === "register") {
      // H17: the master's own worker id gives ROOT and reduce; only the in-process own worker may take it.
      if (!this.#registry.admits(m)) return refuse("forbidden", `workerId: ${m.workerId} is this master's own worker; it cannot register from outside`, "workerId");
      const { info, secret, replaced } = this.#registry.register(m, this.#clock.now());
      if (replaced) for (const i of this.#instances.values()) i.workerGone(replaced, `worker ${replaced.workerId} registered again`);
      for (const i of this.#instances.values()) i.addWorker(info);
      return { ok: true, incarnation: info.incarnation, secret, credential: this.#credential };
    }
    const standing = this.#registry.standing(m.worker);
    if (standing.kind === "superseded") return superseded(m.worker);
    if (standing.kind === "unknown") return unregistered(m.worker);
    const w = standing.info;
    w.lastSeen = this.#clock.now();
    switch (m.type) {
      case "heartbeat":
        w.load = m.load;
        if (m.held !== undefined && m.held.length > 0) this.#handedOver(w, m.held);
        for (const i of this.#instances.values()) i.onHeartbeat(w, m.instances);
        if (m.adrift === undefined || m.adrift.length === 0) return { ok: true };
        return { ok: true, owners: await this.#owners(m.adrift) };
      case "report":
        w.load = m.load;
        return await this.#report(w, m);
      case "map": {
        const i = this.#instances.get(m.instanceId);
        return i ? i.map(w, m) : notFound(m.instanceId);
      }
      case "pull":
        return await this.#pull(w, m);
    }
  }

  /**
   * B36: a worker hands over the tasks it holds of instances this master took
   * over (their old owner stopped answering it): each instance adopts those
   * its resume kept for the worker, as for a worker coming back after a
   * restart (B28). Instances not running here are ignored.
   */
  #handedOver(w: WorkerInfo, held: NonNullable<Heartbeat["held"]>): void {
    const mine = held.filter((t) => this.#instances.has(t.instanceId));
    if (mine.length === 0) return;
    w.held = heldByInstance(mine, w.held);
    for (const id of new Set(mine.map((t) => t.instanceId))) this.#instances.get(id)!.adoptHeld(w);
  }

  /**
   * B36: the owners this master knows of the instances a worker holds for a
   * master that stopped answering it: itself for those it runs, the owner the
   * store names for others (shared masters). Unknown ones are left out.
   */
  async #owners(ids: readonly string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const peers = this.#peers;
    if (peers === null) return out;
    for (const id of new Set(ids)) {
      const i = this.#instances.get(id);
      // Still reading the store (a takeover under way): the worker asks again at its next heartbeat.
      if (i) { if (i.takesHandover()) out[id] = peers.address; } else {
        const owner = await peers.ownerOf(id).catch(() => null);
        if (owner !== null) out[id] = owner;
      }
    }
    return out;
  }

  /**
   * B11: a batch of reports, one column group per instance cycle (W2); reports for instances not
   * running here are refused. B33: answered only once the writes carrying
   * them are stored (group-committed with the other reports of the moment);
   * when one failed, busy, so the worker keeps the batch and sends it again.
   */
  async #report(w: WorkerInfo, m: ReportBatch): Promise<Reply> {
    // W4: settle the batches the worker acknowledges, and let the dispatch these reports set off ride on the reply.
    const rides = this.#rides;
    rides?.open(w.key, m.ack ?? 0, m.nacks);
    let counts: [number, number];
    let batches: RidingBatch[] = [];
    try {
      counts = await this.#apply(w, m.reports);
    } catch (e) {
      // Not stored: the worker sends the reports again; the batches that would have ridden ride on that reply.
      return notStored(e);
    } finally {
      batches = rides?.close(w.key) ?? [];
    }
    const [applied, refused] = counts;
    return batches.length === 0 ? { ok: true, applied, refused } : { ok: true, applied, refused, batches };
  }

  /**
   * W5: a pull carrying reports applies them first — answered, as a report batch is, only once
   * they are stored (B33) — then takes tasks; its reply says both.
   */
  async #pull(w: WorkerInfo, m: Pull): Promise<Reply> {
    let counts: [number, number] | null = null;
    if (m.reports !== undefined && m.reports.length > 0) {
      try {
        counts = await this.#apply(w, m.reports);
      } catch (e) {
        return notStored(e);
      }
    }
    const i = this.#instances.get(m.instanceId);
    const r = i ? await i.pull(w, m) : notFound(m.instanceId);
    // A refused pull still applied its reports: the worker drops them, as after a report's answer.
    if (counts === null || !r.ok) return r;
    return { ...r, applied: counts[0], refused: counts[1] };
  }

  /** Applies report groups (W2) to their instances; resolves with [applied, refused] once stored (B33), rejects when a write failed. */
  async #apply(w: WorkerInfo, groups: ReportBatch["reports"]): Promise<[number, number]> {
    let applied = 0, refused = 0;
    const durable: Promise<void>[] = [];
    for (const group of groups) {
      const i = this.#instances.get(group.instanceId);
      if (!i) { refused += group.handles.length; continue; }
      const [a, r] = i.applyReports(w, group);
      applied += a;
      refused += r;
      durable.push(i.reportsDurable());
    }
    await Promise.all(durable);
    return [applied, refused];
  }
}

/** B33: reports whose write failed are answered busy: the worker sends them again. */
function notStored(e: unknown): Reply {
  return { ...refuse("busy", `reports not stored: ${errorMessage(e)}`), retryAfterMs: REPORT_RETRY_MS };
}

/** Also a wrong secret's answer (H14): a guesser learns nothing about which incarnations exist. */
function unregistered(ref: WorkerRef): Reply {
  return refuse("unregistered", `worker ${ref.workerId} incarnation ${ref.incarnation} is not registered (or not with this secret)`, "worker");
}

function superseded(ref: WorkerRef): Reply {
  return refuse("superseded", `worker ${ref.workerId} incarnation ${ref.incarnation} was superseded: it was declared dead or registered again`, "worker");
}

function notFound(instanceId: string): Reply {
  return refuse("not_found", `unknown or finished instance: ${instanceId}`, "instanceId");
}
