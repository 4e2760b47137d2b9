/**
 * B36: a worker's pools whose master stopped answering, and handing them over
 * to the master that took their instances over. Masters on one store (X3)
 * take over the instances of a dead one; its workers ask the other masters
 * they know who runs those instances now (a heartbeat's `adrift`), and hand
 * the new owner the tasks they still hold of them (a heartbeat's `held`), so
 * it adopts them instead of running them again. Only masters the worker has
 * joined are handed anything: their credentials are the ones it trusts (H16).
 */
import { MAX_ADRIFT, MAX_HELD, type HeldTask, type LoadReport, type TaskReport, type WorkerRef } from "../protocol/messages.ts";
import { TransportError, type Transport } from "../protocol/transport.ts";
import { heldTasks } from "./held-tasks.ts";
import type { Link } from "./master-link.ts";
import type { Pool } from "./pool.ts";

/**
 * The instances to name as adrift in a heartbeat to `to`: those of open pools
 * whose master is another one, that did not answer its last heartbeat.
 */
export function adriftInstances(pools: Iterable<Pool>, links: ReadonlyMap<string, Link>, to: Link, cap = MAX_ADRIFT): string[] {
  const out: string[] = [];
  for (const p of pools) {
    if (out.length >= cap) break;
    if (p.master === to.address || p.closed.signal.aborted) continue;
    if ((links.get(p.master)?.unanswered ?? 0) > 0) out.push(p.spec.instanceId);
  }
  return out;
}

/** A master's address as the worker compares it: without a trailing slash. */
function bare(address: string): string {
  return address.replace(/\/+$/, "");
}

/**
 * Which adrift pools go to which master: by the owners a master answered, each
 * pool whose instance another master the worker joined (registered, not
 * re-registering) runs now, while the pool's own master still does not answer.
 */
export function handoverPlan(pools: Iterable<Pool>, links: ReadonlyMap<string, Link>, owners: Readonly<Record<string, string>>): Map<Link, Pool[]> {
  const byAddress = new Map<string, Link>();
  for (const l of links.values()) byAddress.set(bare(l.address), l);
  const out = new Map<Link, Pool[]>();
  for (const p of pools) {
    const owner = owners[p.spec.instanceId];
    if (owner === undefined || p.closed.signal.aborted) continue;
    const to = byAddress.get(bare(owner));
    if (!to || to.address === p.master || to.incarnation < 0 || to.registering) continue;
    if ((links.get(p.master)?.unanswered ?? 0) === 0) continue;
    const list = out.get(to) ?? [];
    list.push(p);
    out.set(to, list);
  }
  return out;
}

/**
 * The tasks of `pools` the worker still holds: waiting, running, or reported
 * to their old master without an answer yet (at most `cap`).
 */
export function handoverHeld(pools: readonly Pool[], links: ReadonlyMap<string, Link>, cap = MAX_HELD): HeldTask[] {
  const out: HeldTask[] = [];
  for (const p of pools) {
    const id = p.spec.instanceId, from = links.get(p.master);
    const reports: TaskReport[] = [];
    if (from) {
      from.reports.forEach((r) => { if (r.instanceId === id) reports.push(r); });
      for (const r of from.sending) if (r.instanceId === id) reports.push(r);
      for (const list of from.carried) for (const r of list) if (r.instanceId === id) reports.push(r);
    }
    out.push(...heldTasks([p], [reports], p.master, cap - out.length));
  }
  return out;
}

/** What handing pools over needs of its worker. */
export interface HandoverHost {
  readonly transport: Transport;
  readonly requestTimeoutMs: number;
  /** The worker's pools by instance id, and its links by master address (read as they change). */
  readonly pools: ReadonlyMap<string, Pool>;
  readonly links: ReadonlyMap<string, Link>;
  ref(link: Link): WorkerRef;
  load(): LoadReport;
  /** The instances the worker holds a pool for with master `address`. */
  instancesOf(address: string): string[];
  /** The master refused incarnation `sent` (B28, B30). */
  refusedAs(link: Link, sent: number, code: "unregistered" | "superseded"): Promise<void>;
  /** Sends what waits for `link` soon. */
  scheduleFlush(link: Link): void;
}

/**
 * Hands a worker's adrift pools over to the masters that run their
 * instances now, and moves their reports along.
 */
export class Handover {
  readonly #h: HandoverHost;
  /** Instance id → the master its pool is being handed over to (its answer not back yet). */
  readonly #handing = new Map<string, string>();

  constructor(host: HandoverHost) {
    this.#h = host;
  }

  /**
   * Hands adrift pools over by the `owners` a master answered. The new owner
   * first adopts the tasks the pools hold (a heartbeat listing them); only
   * once it answered do the pools — their reports, pulls and maps — move to
   * it, so no report reaches it before its tasks are adopted.
   */
  async handOver(owners: Readonly<Record<string, string>>): Promise<void> {
    const h = this.#h;
    for (const [to, pools] of handoverPlan(h.pools.values(), h.links, owners)) {
      const held = handoverHeld(pools, h.links);
      const ids = pools.map((p) => p.spec.instanceId);
      const instances = [...h.instancesOf(to.address), ...ids];
      for (const id of ids) this.#handing.set(id, to.address);
      let adopted = false;
      try {
        const sent = to.incarnation;
        const r = await h.transport.request(to.address, { type: "heartbeat", worker: h.ref(to), load: h.load(), instances, held }, { timeoutMs: h.requestTimeoutMs });
        adopted = r.ok;
        if (!r.ok && (r.code === "unregistered" || r.code === "superseded")) await h.refusedAs(to, sent, r.code);
      } catch (e) {
        if (!(e instanceof TransportError)) throw e; // the next heartbeat asks again
      } finally {
        for (const id of ids) if (this.#handing.get(id) === to.address) this.#handing.delete(id);
      }
      if (!adopted) continue;
      for (const p of pools) if (!p.closed.signal.aborted && h.pools.get(p.spec.instanceId) === p) this.rehome(p, to.address);
    }
  }

  /**
   * A message of `master` about pool `p`, whose tasks came from another
   * master: when the pool is being handed to `master` and the message is not
   * from an older owner, the pool is its now (it adopted the tasks before it
   * addresses us about them). Returns whether the pool moved.
   */
  arrived(p: Pool, master: string, fence: number): boolean {
    if (this.#handing.get(p.spec.instanceId) !== master || fence < (p.spec.fence ?? 0)) return false;
    this.rehome(p, master);
    return true;
  }

  /** The pool's tasks, reports, pulls and maps go to master `to` from now on. */
  rehome(p: Pool, to: string): void {
    if (p.master === to) return;
    const from = this.#h.links.get(p.master);
    p.master = to;
    if (from) this.strays(from);
    const link = this.#h.links.get(to);
    if (link) this.#h.scheduleFlush(link);
  }

  /** Moves `from`'s waiting reports of pools another master adopted to that master's link. */
  strays(from: Link): void {
    const h = this.#h;
    const owner = (r: TaskReport) => {
      const p = h.pools.get(r.instanceId);
      return p !== undefined && p.master !== from.address ? h.links.get(p.master) : undefined;
    };
    const moved = from.reports.extract((r) => owner(r) !== undefined);
    const touched = new Set<Link>();
    for (const r of moved) {
      const to = owner(r)!;
      to.reports.add(r);
      touched.add(to);
    }
    for (const l of touched) h.scheduleFlush(l);
  }
}
