/**
 * B36: a worker's pools whose master stopped answering, and handing them over
 * to the master that took their instances over. Masters on one store (X3)
 * take over the instances of a dead one; its workers ask the other masters
 * they know who runs those instances now (a heartbeat's `adrift`), and hand
 * the new owner the tasks they still hold of them (a heartbeat's `held`), so
 * it adopts them instead of running them again. Only masters the worker has
 * joined are handed anything: their credentials are the ones it trusts (H16).
 */
import { MAX_ADRIFT, MAX_HELD, type HeldTask, type TaskReport } from "../protocol/messages.ts";
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
    }
    out.push(...heldTasks([p], [reports], p.master, cap - out.length));
  }
  return out;
}
