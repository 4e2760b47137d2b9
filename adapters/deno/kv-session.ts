/**
 * What every DenoKvStore call shares: the kv and its keys, the fence and
 * lease entries, ids' size limit, and the fencing session a write runs in.
 *
 * Every write checks the instance's fence entry in each atomic, so a deposed
 * owner's token never writes (FencedError). Task writes also rewrite that
 * entry, which makes it the instance's task clock: any two task writes of
 * one instance conflict unless one read after the other committed, and the
 * loser re-reads (refresh) and redoes its rest.
 */
import { ValidationError } from "../../src/errors/validation-error.ts";
import { FencedError, UnknownInstanceError } from "../../src/store/errors.ts";
import type { StoredFence } from "../../src/store/kv-rows.ts";
import type { Fence } from "../../src/store/task-store.ts";
import { type Guard, utf8Bytes } from "./kv-atomic.ts";
import type { DenoKvKeys } from "./kv-keys.ts";

/** Rows read per step of a scan or a claim. */
export const STEP = 1000;
/** Longest id (taskId, name, worker, owner, ...): ids go into keys, which Deno KV caps at 2 KiB. */
export const ID_BYTES = 1024;
/** Reads in flight at once. */
const READS = 32;

/** The kv a store works on, and its keys. */
export interface KvContext {
  /** The database. */
  readonly kv: Deno.Kv;
  /** The store's keys, under its prefix. */
  readonly k: DenoKvKeys;
}

/** ["fence", id]: who owns the instance, and where its tasks live. */
export interface FenceValue extends StoredFence {
  /** Task space: the number in the instance's task keys. */
  readonly ts: number;
}

/**
 * ["lease", id]: the lease taken with `token` (until null: none). Every
 * acquisition rewrites it in the atomic that moves the token, so a renewal
 * that checked it cannot land after a takeover; it counts only while its
 * token is the fence's.
 */
export interface LeaseValue {
  readonly owner: string;
  readonly token: number;
  readonly until: number | null;
}

/** The fence entry as read, used as every atomic's guard. */
export interface Own extends Guard {
  readonly value: FenceValue;
}

/** A write in progress: its fence entry, refreshed after a conflict. */
export interface Session {
  readonly fence: Fence;
  own: Own;
}

/** When the current owner's lease runs out: the lease entry counts only for the fence's token. */
export function leaseOf(f: FenceValue, l: LeaseValue | null): number | null {
  return l !== null && l.token === f.token ? l.until : null;
}

/** Returns `value` when it fits in a key; else throws naming `field`. */
export function checkId(field: string, value: string): string {
  if (utf8Bytes(value) > ID_BYTES) throw new ValidationError(field, `at most ${ID_BYTES} bytes of UTF-8 (Deno KV keys are small)`, value);
  return value;
}

/** An id that may be stored: a string that fits in a key. */
export function isId(id: unknown): id is string {
  return typeof id === "string" && utf8Bytes(id) <= ID_BYTES;
}

/** Runs `fns` with at most READS in flight. */
export async function inWaves(fns: (() => Promise<void>)[]): Promise<void> {
  for (let i = 0; i < fns.length; i += READS) await Promise.all(fns.slice(i, i + READS).map((f) => f()));
}

/** The fence entry of `instanceId`, or null. */
export async function fenceOf(cx: KvContext, instanceId: string): Promise<Own | null> {
  if (!isId(instanceId)) return null;
  const e = await cx.kv.get<FenceValue>(cx.k.fence(instanceId));
  return e.value === null ? null : { key: e.key, value: e.value, versionstamp: e.versionstamp, bump: true };
}

/** The task space of `instanceId`, or null. */
export async function tsOf(cx: KvContext, instanceId: string): Promise<number | null> {
  return (await fenceOf(cx, instanceId))?.value.ts ?? null;
}

/** The fence entry, when `fence` is the instance's current one. `bump`: the writes are task writes. */
export async function session(cx: KvContext, fence: Fence, bump = true): Promise<Session> {
  return { fence, own: await current(cx, fence, bump) };
}

/** Re-reads the fence entry after a conflict: FencedError when deposed meanwhile. */
export async function refresh(cx: KvContext, s: Session, bump = true): Promise<void> {
  s.own = await current(cx, s.fence, bump);
}

async function current(cx: KvContext, fence: Fence, bump: boolean): Promise<Own> {
  const own = await fenceOf(cx, fence.instanceId);
  if (own === null) throw new UnknownInstanceError(fence.instanceId);
  if (own.value.token !== fence.token) throw new FencedError(fence.instanceId, fence.token, own.value.token);
  return bump ? own : { ...own, bump: false };
}
