/**
 * IdbStore's instance records and leases, each function one transaction's
 * work on the object store: create, acquire, renew, list, update.
 */
import { getMany, type UseStore } from "idb-keyval";
import { DuplicateInstanceError, LeaseHeldError, UnknownInstanceError } from "../../src/store/errors.ts";
import { type CheckedInstance, type CheckedLease, checkPatch } from "../../src/store/input.ts";
import { newInstance, patchedInstance } from "../../src/store/kv-rows.ts";
import type { Fence, InstancePatch, InstanceRecord, InstanceStatus } from "../../src/store/task-store.ts";
import { descending, prefixRange, req } from "./idb-requests.ts";
import { type FenceValue, fenceOf, type InstValue, K, own, record } from "./idb-rows.ts";

/** createInstance, checked already. */
export async function createInstance(os: IDBObjectStore, c: CheckedInstance, terms: CheckedLease | null): Promise<Fence> {
  const id = c.instanceId;
  const [had, last] = await Promise.all([req(os.get(K.fence(id))), req(os.get(K.meta())) as Promise<number | undefined>]);
  if (had !== undefined) throw new DuplicateInstanceError(id);
  const order = (last ?? 0) + 1;
  os.put(order, K.meta());
  os.put({ owner: c.owner, token: 1, until: terms?.until ?? null } satisfies FenceValue, K.fence(id));
  os.put(newInstance(order, c, c.settings, c.params), K.inst(id));
  os.put(id, K.created(c.createdAt, order));
  os.put(id, K.status("RUNNING", c.createdAt, order));
  return { instanceId: id, token: 1 };
}

/** acquireInstance, checked already. */
export async function acquireInstance(os: IDBObjectStore, instanceId: string, owner: string, terms: CheckedLease | null): Promise<Fence> {
  const f = await fenceOf(os, instanceId);
  if (f === undefined) throw new UnknownInstanceError(instanceId);
  const until = f.until ?? null;
  if (terms !== null && until !== null && until > terms.now && f.owner !== owner) throw new LeaseHeldError(instanceId, f.owner, until);
  const token = f.token + 1;
  os.put({ owner, token, until: terms?.until ?? null } satisfies FenceValue, K.fence(instanceId));
  return { instanceId, token };
}

/** renewLeases, checked already. */
export async function renewLeases(os: IDBObjectStore, owner: string, fences: readonly Fence[], terms: CheckedLease): Promise<string[]> {
  const found = await Promise.all(fences.map((f) => fenceOf(os, f.instanceId)));
  const renewed: string[] = [];
  for (let i = 0; i < fences.length; i++) {
    const f = found[i];
    if (f === undefined || f.owner !== owner || f.token !== fences[i]!.token) continue;
    os.put({ ...f, until: terms.until } satisfies FenceValue, K.fence(fences[i]!.instanceId));
    renewed.push(fences[i]!.instanceId);
  }
  return renewed;
}

/** The fence and record entries of `ids`, in that order. */
function entries(os: IDBObjectStore, ids: readonly string[]): Promise<[FenceValue | undefined, InstValue | undefined][]> {
  return Promise.all(ids.map((id) => Promise.all([
    req(os.get(K.fence(id))) as Promise<FenceValue | undefined>,
    req(os.get(K.inst(id))) as Promise<InstValue | undefined>,
  ])));
}

/** expiredInstances, checked already. */
export async function expiredInstances(os: IDBObjectStore, now: number, limit: number | undefined): Promise<InstanceRecord[]> {
  // The RUNNING index, ascending: oldest first.
  const ids = await req(os.getAll(prefixRange(K.allStatus("RUNNING")))) as string[];
  const got = await entries(os, ids);
  const out: InstanceRecord[] = [];
  for (let i = 0; i < ids.length && out.length < (limit ?? Infinity); i++) {
    const [f, v] = got[i]!;
    if (f === undefined || v === undefined || v.status !== "RUNNING") continue;
    const until = f.until ?? null;
    if (until === null || until <= now) out.push(record(ids[i]!, f, v));
  }
  return out;
}

/** getInstance: two reads, no transaction of its own to queue behind. */
export async function readInstance(use: UseStore, instanceId: string): Promise<InstanceRecord | null> {
  const [f, v] = await getMany([K.fence(instanceId), K.inst(instanceId)], use) as [FenceValue?, InstValue?];
  return f === undefined || v === undefined ? null : record(instanceId, f, v);
}

/** listInstances, checked already. */
export async function listInstances(os: IDBObjectStore, status: InstanceStatus | undefined, limit: number): Promise<InstanceRecord[]> {
  const range = prefixRange(status === undefined ? K.allCreated() : K.allStatus(status));
  const ids = (await descending<string>(os, range, limit)).map(([, id]) => id);
  const got = await entries(os, ids);
  const out: InstanceRecord[] = [];
  for (let i = 0; i < ids.length; i++) {
    const [f, v] = got[i]!;
    if (f !== undefined && v !== undefined) out.push(record(ids[i]!, f, v));
  }
  return out;
}

/** updateInstance. */
export async function updateInstance(os: IDBObjectStore, fence: Fence, patch: InstancePatch): Promise<void> {
  await own(os, fence);
  const p = checkPatch(patch);
  const id = fence.instanceId;
  const old = await req(os.get(K.inst(id))) as InstValue;
  const next = patchedInstance(old, p, p.result ?? old.result, p.progress ?? old.progress, p.errors ?? old.errors);
  os.put(next, K.inst(id));
  if (next.status !== old.status) {
    os.delete(K.status(old.status, old.createdAt, old.order));
    os.put(id, K.status(next.status, old.createdAt, old.order));
  }
  const wasRetained = old.retainUntil ?? null;
  if (next.retainUntil !== wasRetained) {
    if (wasRetained !== null) os.delete(K.retain(wasRetained, old.order));
    if (next.retainUntil != null) os.put(id, K.retain(next.retainUntil, old.order));
  }
}

/**
 * sweepRetained, in one transaction: walks the retainUntil index up to
 * `now`, oldest first, and clears the task space of each instance that is
 * not RUNNING, its retainUntil set to null and its entry deleted. Another
 * store's sweep is a later transaction: it finds the entries gone.
 */
export async function sweepRetained(os: IDBObjectStore, now: number, limit: number): Promise<number> {
  const range = IDBKeyRange.bound(K.allRetain(), [...K.allRetain(), now, []]);
  const [keys, ids] = await Promise.all([req(os.getAllKeys(range)), req(os.getAll(range)) as Promise<string[]>]);
  const got = await entries(os, ids);
  let swept = 0;
  for (let i = 0; i < ids.length && swept < limit; i++) {
    const [, v] = got[i]!;
    // A RUNNING instance keeps its entry: it is never swept.
    if (v === undefined || v.status === "RUNNING" || v.retainUntil == null || v.retainUntil > now) continue;
    const id = ids[i]!;
    for (const prefix of K.space(id)) os.delete(prefixRange(prefix));
    os.put({ ...v, retainUntil: null } satisfies InstValue, K.inst(id));
    os.delete(keys[i]!);
    swept++;
  }
  return swept;
}
