/**
 * SqliteStore's instance records and leases: create, acquire, renew, list,
 * update. An acquisition checks the lease and takes the instance in one
 * IMMEDIATE transaction, so two masters never both take one instance.
 */
import { DuplicateInstanceError, LeaseHeldError, UnknownInstanceError } from "../../../src/store/errors.ts";
import { type CheckedInstance, type CheckedLease, checkPatch } from "../../../src/store/input.ts";
import type { Fence, InstancePatch, InstanceRecord, InstanceStatus } from "../../../src/store/task-store.ts";
import { sqlJson } from "./json-column.ts";
import type { SqliteDb } from "./sqlite-db.ts";
import { type InstanceColumns, record } from "./sqlite-rows.ts";

/** createInstance, checked already. */
export function createInstance(db: SqliteDb, c: CheckedInstance, terms: CheckedLease | null): Fence {
  const instanceId = c.instanceId;
  const args = [
    instanceId, c.processor, sqlJson(c.settings), sqlJson(c.params), c.serialNum, c.owner, c.createdAt, terms?.until ?? null, c.startedAt,
  ];
  const num = db.write(() => db.stmt("create-instance").pluck().get(args)) as number | undefined;
  if (num === undefined) throw new DuplicateInstanceError(instanceId);
  db.remember(instanceId, num);
  return { instanceId, token: 1 };
}

/** acquireInstance, checked already. */
export function acquireInstance(db: SqliteDb, instanceId: string, owner: string, terms: CheckedLease | null): Fence {
  const token = db.write(() => {
    // Checked and taken in one IMMEDIATE transaction: two masters never both take one instance.
    const held = db.stmt("get-lease").get(instanceId) as { owner: string; lease_until: number | null } | undefined;
    if (held === undefined) return undefined;
    if (terms !== null && held.lease_until !== null && held.lease_until > terms.now && held.owner !== owner) {
      throw new LeaseHeldError(instanceId, held.owner, held.lease_until);
    }
    return db.stmt("acquire-instance").pluck().get(owner, terms?.until ?? null, instanceId) as number;
  });
  if (token === undefined) throw new UnknownInstanceError(instanceId);
  return { instanceId, token };
}

/** renewLeases, checked already. */
export function renewLeases(db: SqliteDb, owner: string, fences: readonly Fence[], terms: CheckedLease): string[] {
  return db.write(() => {
    const renewed: string[] = [];
    const stmt = db.stmt("renew-leases");
    for (const f of fences) if (stmt.get(terms.until, f.instanceId, owner, f.token) !== undefined) renewed.push(f.instanceId);
    return renewed;
  });
}

/** expiredInstances, checked already. */
export function expiredInstances(db: SqliteDb, now: number, limit: number | undefined): InstanceRecord[] {
  return (db.stmt("expired-instances").all(now, limit ?? -1) as InstanceColumns[]).map(record);
}

/** getInstance. */
export function getInstance(db: SqliteDb, instanceId: string): InstanceRecord | null {
  const row = db.stmt("get-instance").get(instanceId) as InstanceColumns | undefined;
  return row ? record(row) : null;
}

/** listInstances, checked already (limit -1: all). */
export function listInstances(db: SqliteDb, status: InstanceStatus | undefined, limit: number): InstanceRecord[] {
  const rows = (status === undefined
    ? db.stmt("list-instances").all(limit)
    : db.stmt("list-instances-by-status").all(status, limit)) as InstanceColumns[];
  return rows.map(record);
}

/** A3: listInstances by processor or after a `before` instance, checked already (limit -1: all). */
export function listInstancePage(db: SqliteDb, f: { status?: InstanceStatus | undefined; processor?: string | undefined; before?: string | undefined; limit: number }): InstanceRecord[] {
  const rows = db.stmt("list-instances-page").all({
    status: f.status ?? null, processor: f.processor ?? null, before: f.before ?? null, limit: f.limit,
  }) as InstanceColumns[];
  return rows.map(record);
}

/** updateInstance. */
export function updateInstance(db: SqliteDb, fence: Fence, patch: InstancePatch): void {
  const p = checkPatch(patch);
  const pair = (v: unknown) => (v === undefined ? [0, null] : [1, v]);
  const text = (v: string | undefined) => (v === undefined ? undefined : sqlJson(v));
  db.write(() => {
    const keys = db.own(fence);
    db.stmt("update-instance").run(
      ...pair(p.status), ...pair(text(p.result)), ...pair(p.serialNum), ...pair(p.finishedAt), ...pair(text(p.progress)),
      ...pair(p.failedCount), ...pair(p.errors), ...pair(p.startedAt), ...pair(p.retainUntil), keys.num);
  });
}
