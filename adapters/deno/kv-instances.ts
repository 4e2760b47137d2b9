/**
 * DenoKvStore's instance records and leases: create, acquire, renew, list,
 * update. An acquisition moves the token and rewrites the lease entry in one
 * atomic that checked both, so of two masters racing, one commits; a renewal
 * checks the lease entry only, which task writes never touch.
 */
import { DuplicateInstanceError, LeaseHeldError, UnknownInstanceError } from "../../src/store/errors.ts";
import { type CheckedInstance, type CheckedLease, checkPatch } from "../../src/store/input.ts";
import { decodeInstance, newInstance, patchedInstance } from "../../src/store/kv-rows.ts";
import type { Fence, InstancePatch, InstanceRecord, InstanceStatus } from "../../src/store/task-store.ts";
import { commitUnits, GET_MANY, type Unit } from "./kv-atomic.ts";
import type { InstValue } from "./kv-row-writes.ts";
import {
  type FenceValue, inWaves, isId, type KvContext, leaseOf, type LeaseValue, refresh, session, STEP,
} from "./kv-session.ts";
import { drop, load, spill, type Val } from "./kv-values.ts";

/** Instances per getMany: three keys each. */
const PER_GET = Math.floor(GET_MANY / 3);

/** The record as DenoKvStore hands it out, its spilled fields read back. */
async function record(cx: KvContext, id: string, f: FenceValue, v: InstValue, l: LeaseValue | null): Promise<InstanceRecord> {
  const k = cx.k;
  const [settings, params, result, progress, errors] = await Promise.all([
    load(cx.kv, k.instPart(id, "settings"), v.settings),
    load(cx.kv, k.instPart(id, "params"), v.params),
    load(cx.kv, k.instPart(id, "result"), v.result),
    load(cx.kv, k.instPart(id, "progress"), v.progress),
    v.errors === undefined ? undefined : load(cx.kv, k.instPart(id, "errors"), v.errors),
  ]);
  return decodeInstance(id, f, leaseOf(f, l), v, { settings, params, result, progress, errors });
}

/**
 * The records of `ids` that `keep` accepts (null where it does not, or the
 * instance is gone), in that order: three entries per instance, in waves of getMany.
 */
async function records(
  cx: KvContext, ids: readonly string[], keep: (f: FenceValue, v: InstValue, l: LeaseValue | null) => boolean,
): Promise<(InstanceRecord | null)[]> {
  const out: (InstanceRecord | null)[] = new Array(ids.length).fill(null);
  const reads: (() => Promise<void>)[] = [];
  for (let i = 0; i < ids.length; i += PER_GET) {
    reads.push(async () => {
      const part = ids.slice(i, i + PER_GET);
      const got = await cx.kv.getMany(part.flatMap((id) => [cx.k.fence(id), cx.k.inst(id), cx.k.lease(id)]));
      for (let j = 0; j < part.length; j++) {
        const f = got[3 * j]!.value as FenceValue | null;
        const v = got[3 * j + 1]!.value as InstValue | null;
        const l = got[3 * j + 2]!.value as LeaseValue | null;
        if (f !== null && v !== null && keep(f, v, l)) out[i + j] = await record(cx, part[j]!, f, v, l);
      }
    });
  }
  await inWaves(reads);
  return out;
}

/** createInstance, checked already (ids fit in keys). */
export async function createInstance(cx: KvContext, c: CheckedInstance, terms: CheckedLease | null): Promise<Fence> {
  const { kv, k } = cx;
  const id = c.instanceId;
  for (;;) {
    const [meta, had] = await kv.getMany<[number, FenceValue]>([k.meta(), k.fence(id)]);
    if (had.value !== null) throw new DuplicateInstanceError(id);
    const order = (meta.value ?? 0) + 1;
    const settings = spill(k.instPart(id, "settings"), c.settings);
    const params = spill(k.instPart(id, "params"), c.params);
    const unit: Unit = {
      checks: [{ key: meta.key, versionstamp: meta.versionstamp }, { key: had.key, versionstamp: null }],
      muts: [
        { type: "set", key: k.meta(), value: order },
        { type: "set", key: k.fence(id), value: { owner: c.owner, token: 1, ts: order } satisfies FenceValue },
        { type: "set", key: k.lease(id), value: { owner: c.owner, token: 1, until: terms?.until ?? null } satisfies LeaseValue },
        { type: "set", key: k.inst(id), value: newInstance(order, c, settings.val, params.val) },
        { type: "set", key: k.created(c.createdAt, order), value: id },
        { type: "set", key: k.status("RUNNING", c.createdAt, order), value: id },
      ],
      pre: [...settings.sets, ...params.sets],
    };
    if (await commitUnits(kv, null, [unit]) === 1) return { instanceId: id, token: 1 };
  }
}

/** acquireInstance, checked already. */
export async function acquireInstance(cx: KvContext, instanceId: string, owner: string, terms: CheckedLease | null): Promise<Fence> {
  if (!isId(instanceId)) throw new UnknownInstanceError(String(instanceId));
  for (;;) {
    const [f, l] = await cx.kv.getMany<[FenceValue, LeaseValue]>([cx.k.fence(instanceId), cx.k.lease(instanceId)]);
    if (f.value === null) throw new UnknownInstanceError(instanceId);
    const until = leaseOf(f.value, l.value);
    if (terms !== null && until !== null && until > terms.now && f.value.owner !== owner) {
      throw new LeaseHeldError(instanceId, f.value.owner, until);
    }
    const next: FenceValue = { ...f.value, owner, token: f.value.token + 1 };
    // Both entries change in one atomic that checked both: of two masters racing, one commits.
    const res = await cx.kv.atomic().check(f, l)
      .set(f.key, next)
      .set(l.key, { owner, token: next.token, until: terms?.until ?? null } satisfies LeaseValue)
      .commit();
    if (res.ok) return { instanceId, token: next.token };
  }
}

/** renewLeases, checked already. */
export async function renewLeases(cx: KvContext, owner: string, fences: readonly Fence[], terms: CheckedLease): Promise<string[]> {
  const renewed: string[] = [];
  await inWaves(fences.map((fence) => async () => {
    if (!isId(fence.instanceId)) return;
    for (;;) {
      const [f, l] = await cx.kv.getMany<[FenceValue, LeaseValue]>([cx.k.fence(fence.instanceId), cx.k.lease(fence.instanceId)]);
      if (f.value === null || f.value.owner !== owner || f.value.token !== fence.token) return;
      // The lease entry's check is enough: every acquisition rewrites it, task writes never touch it.
      const res = await cx.kv.atomic().check(l)
        .set(l.key, { owner, token: fence.token, until: terms.until } satisfies LeaseValue).commit();
      if (res.ok) { renewed.push(fence.instanceId); return; }
    }
  }));
  return renewed;
}

/** expiredInstances, checked already. */
export async function expiredInstances(cx: KvContext, now: number, limit: number | undefined): Promise<InstanceRecord[]> {
  const max = limit ?? Infinity;
  const out: InstanceRecord[] = [];
  if (max === 0) return out;
  // The RUNNING index lists oldest first; read it in pages and keep the expired ones.
  let page: string[] = [];
  const flush = async () => {
    const got = await records(cx, page, (f, v, l) => {
      if (v.status !== "RUNNING") return false;
      const until = leaseOf(f, l);
      return until === null || until <= now;
    });
    for (const r of got) if (r !== null && out.length < max) out.push(r);
    page = [];
  };
  for await (const e of cx.kv.list<string>({ prefix: cx.k.allStatus("RUNNING") }, { batchSize: STEP })) {
    page.push(e.value);
    if (page.length === STEP) {
      await flush();
      if (out.length >= max) return out;
    }
  }
  await flush();
  return out;
}

/** getInstance. */
export async function getInstance(cx: KvContext, instanceId: string): Promise<InstanceRecord | null> {
  if (!isId(instanceId)) return null;
  const [f, i, l] = await cx.kv.getMany<[FenceValue, InstValue, LeaseValue]>(
    [cx.k.fence(instanceId), cx.k.inst(instanceId), cx.k.lease(instanceId)]);
  return f.value === null || i.value === null ? null : record(cx, instanceId, f.value, i.value, l.value);
}

/** listInstances, checked already. */
export async function listInstances(cx: KvContext, status: InstanceStatus | undefined, limit: number | undefined): Promise<InstanceRecord[]> {
  if (limit === 0) return [];
  const prefix = status === undefined ? cx.k.allCreated() : cx.k.allStatus(status);
  const ids: string[] = [];
  for await (const e of cx.kv.list<string>({ prefix }, { reverse: true, limit })) ids.push(e.value);
  return (await records(cx, ids, () => true)).filter((r): r is InstanceRecord => r !== null);
}

/** updateInstance: fenced by the fence entry, checked but not bumped (no task write). */
export async function updateInstance(cx: KvContext, fence: Fence, patch: InstancePatch): Promise<void> {
  const s = await session(cx, fence, false);
  const p = checkPatch(patch);
  const { kv, k } = cx;
  const id = fence.instanceId;
  for (;;) {
    const e = await kv.get<InstValue>(k.inst(id));
    const old = e.value!;
    const pre: Deno.KvMutation[] = [];
    const post: Deno.KvMutation[] = [];
    const replace = <F extends "result" | "progress" | "errors">(field: F, text: string | undefined): InstValue[F] => {
      if (text === undefined) return old[field];
      const base = k.instPart(id, field);
      const next = spill(base, text);
      pre.push(...next.sets);
      const had = old[field];
      if (had !== undefined) post.push(...drop(base, had));
      return next.val;
    };
    const next = patchedInstance(old, p, replace("result", p.result), replace("progress", p.progress), replace("errors", p.errors));
    const muts: Deno.KvMutation[] = [{ type: "set", key: e.key, value: next }];
    if (next.status !== old.status) {
      muts.push({ type: "delete", key: k.status(old.status, old.createdAt, old.order) });
      muts.push({ type: "set", key: k.status(next.status, old.createdAt, old.order), value: id });
    }
    const wasRetained = old.retainUntil ?? null;
    if (next.retainUntil !== wasRetained) {
      if (wasRetained !== null) muts.push({ type: "delete", key: k.retain(wasRetained, old.order) });
      if (next.retainUntil != null) muts.push({ type: "set", key: k.retain(next.retainUntil, old.order), value: id });
    }
    const unit: Unit = { checks: [{ key: e.key, versionstamp: e.versionstamp }], muts, pre, post };
    if (await commitUnits(kv, s.own, [unit]) === 1) return;
    await refresh(cx, s, false);
  }
}
