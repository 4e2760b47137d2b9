/**
 * Packs writes into as few Deno KV atomics as its per-atomic limits allow.
 *
 * Limits measured on deno 2.9.5 (they are enforced, not documented): 100
 * checks, 1,000 mutations, 81,920 bytes of keys of set/sum mutations, 819,200
 * bytes of keys and values together, 65,536 bytes per value, 2,048 bytes per
 * key, 10 keys per getMany. The budgets below stay under them with room for
 * the estimates' error (strings are counted at two bytes a character).
 */

/** Keys and values are estimated against these; an atomic never goes past one. */
const BUDGET = { checks: 100, mutations: 1000, keyBytes: 76_000, bytes: 720_000 } as const;
/** Largest key Deno KV writes. */
export const MAX_KEY_BYTES = 2048;
/** Keys per `kv.getMany`. */
export const GET_MANY = 10;

/** Bytes of a key part's encoding (an upper bound). */
function partBytes(part: Deno.KvKeyPart): number {
  if (typeof part === "string") return 2 + utf8Bytes(part);
  if (typeof part === "number") return 9;
  if (typeof part === "boolean") return 1;
  if (typeof part === "bigint") return 11;
  if (part instanceof Uint8Array) return 2 + 2 * part.length; // nul bytes are escaped
  return 32;
}

/** UTF-8 length of `s`, with nul characters counted twice (they are escaped in keys). */
export function utf8Bytes(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) n++;
    else if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}

/** Bytes of an encoded key (an upper bound). */
export function keyBytes(key: Deno.KvKey): number {
  let n = 0;
  for (const part of key) n += partBytes(part);
  return n;
}

/** Bytes of a stored value (an upper bound: V8 stores a string in one or two bytes a character). */
export function valueBytes(value: unknown): number {
  if (value instanceof Uint8Array) return value.length + 8;
  if (value instanceof Deno.KvU64) return 16;
  if (typeof value === "string") return 2 * value.length + 8;
  if (value === null || typeof value !== "object") return 16;
  let n = 16;
  if (Array.isArray(value)) for (const v of value) n += valueBytes(v);
  else for (const [k, v] of Object.entries(value)) n += 2 * k.length + 8 + valueBytes(v);
  return n;
}

/** A counter change; changes with the same id in one atomic are summed. */
export interface Sum {
  readonly id: string;
  readonly key: Deno.KvKey;
  readonly delta: number;
}

/** Writes that must land in one atomic, plus spilled parts that may go before or after them. */
export interface Unit {
  readonly checks?: readonly Deno.AtomicCheck[];
  readonly muts: readonly Deno.KvMutation[];
  readonly sums?: readonly Sum[];
  /** Parts under a fresh key that `muts` point to: written first when the whole unit cannot fit one atomic. */
  readonly pre?: readonly Deno.KvMutation[];
  /** Parts `muts` stop pointing to: deleted in the same atomic, or after it when that cannot fit. */
  readonly post?: readonly Deno.KvMutation[];
}

/**
 * The key every atomic checks (the fencing token's entry). With `bump` each
 * atomic also rewrites it, so any two writers of the same guard conflict: the
 * versionstamp then moves on to the one of our own last commit.
 */
export interface Guard {
  readonly key: Deno.KvKey;
  readonly value: unknown;
  versionstamp: string | null;
  readonly bump: boolean;
}

interface Cost {
  checks: number;
  mutations: number;
  keyBytes: number;
  bytes: number;
}

function zero(): Cost {
  return { checks: 0, mutations: 0, keyBytes: 0, bytes: 0 };
}

function addMut(c: Cost, m: Deno.KvMutation): void {
  const k = keyBytes(m.key);
  c.mutations++;
  if (m.type === "delete") {
    c.bytes += k;
  } else {
    c.keyBytes += k;
    c.bytes += k + (m.type === "set" ? valueBytes(m.value) : 16);
  }
}

function addMuts(c: Cost, muts: readonly Deno.KvMutation[] | undefined): void {
  if (muts) for (const m of muts) addMut(c, m);
}

function guardCost(guard: Guard | null): Cost {
  const c = zero();
  if (guard) {
    c.checks++;
    if (guard.bump) addMut(c, { type: "set", key: guard.key, value: guard.value });
  }
  return c;
}

function fits(a: Cost, b: Cost): boolean {
  return a.checks + b.checks <= BUDGET.checks && a.mutations + b.mutations <= BUDGET.mutations
    && a.keyBytes + b.keyBytes <= BUDGET.keyBytes && a.bytes + b.bytes <= BUDGET.bytes;
}

function plus(a: Cost, b: Cost): void {
  a.checks += b.checks;
  a.mutations += b.mutations;
  a.keyBytes += b.keyBytes;
  a.bytes += b.bytes;
}

function u64(delta: number): Deno.KvU64 {
  // Sums wrap at 2^64, so adding 2^64 - n takes n away.
  return new Deno.KvU64(delta >= 0 ? BigInt(delta) : (1n << 64n) + BigInt(delta));
}

/** One atomic being filled. */
class Pending {
  readonly cost: Cost;
  readonly checks: Deno.AtomicCheck[] = [];
  readonly muts: Deno.KvMutation[] = [];
  readonly sums = new Map<string, { key: Deno.KvKey; delta: number }>();
  units = 0;

  constructor(readonly guard: Guard | null) {
    this.cost = guardCost(guard);
  }

  /** The cost `u` adds, counting only sums not already here. */
  costOf(u: Unit, pre: boolean, post: boolean): Cost {
    const c = zero();
    c.checks += u.checks?.length ?? 0;
    addMuts(c, u.muts);
    if (pre) addMuts(c, u.pre);
    if (post) addMuts(c, u.post);
    const ids = new Set<string>();
    for (const s of u.sums ?? []) {
      if (this.sums.has(s.id) || ids.has(s.id)) continue;
      ids.add(s.id);
      addMut(c, { type: "sum", key: s.key, value: u64(0) });
    }
    return c;
  }

  add(u: Unit, cost: Cost, pre: boolean, post: boolean): void {
    plus(this.cost, cost);
    if (u.checks) this.checks.push(...u.checks);
    if (pre && u.pre) this.muts.push(...u.pre);
    this.muts.push(...u.muts);
    if (post && u.post) this.muts.push(...u.post);
    for (const s of u.sums ?? []) {
      const had = this.sums.get(s.id);
      if (had) had.delta += s.delta;
      else this.sums.set(s.id, { key: s.key, delta: s.delta });
    }
    this.units++;
  }

  async commit(kv: Deno.Kv): Promise<boolean> {
    const a = kv.atomic();
    const g = this.guard;
    if (g) {
      a.check({ key: g.key, versionstamp: g.versionstamp });
      if (g.bump) a.set(g.key, g.value);
    }
    a.check(...this.checks);
    a.mutate(...this.muts);
    for (const s of this.sums.values()) if (s.delta !== 0) a.sum(s.key, u64(s.delta).value);
    const res = await a.commit();
    if (!res.ok) return false;
    if (g?.bump) g.versionstamp = res.versionstamp;
    return true;
  }
}

/**
 * Commits `units` in order, packed into atomics that each check `guard`.
 * Returns how many units committed: all of them, or those before the first
 * atomic whose checks failed (the caller re-reads and redoes the rest).
 */
export async function commitUnits(kv: Deno.Kv, guard: Guard | null, units: readonly Unit[]): Promise<number> {
  let open = new Pending(guard);
  let committed = 0;
  const flush = async (): Promise<boolean> => {
    if (open.units === 0) return true;
    if (!(await open.commit(kv))) return false;
    committed += open.units;
    open = new Pending(guard);
    return true;
  };
  for (const u of units) {
    let cost = open.costOf(u, true, true);
    if (fits(open.cost, cost)) {
      open.add(u, cost, true, true);
      continue;
    }
    if (!(await flush())) return committed;
    cost = open.costOf(u, true, true);
    if (fits(open.cost, cost)) {
      open.add(u, cost, true, true);
      continue;
    }
    // Too big for one atomic: the parts first (invisible until `muts` point to them), then the rest.
    if (!(await writeAll(kv, guard, u.pre ?? []))) {
      await writeAll(kv, null, deletesOf(u.pre ?? []));
      return committed;
    }
    const withPost = open.costOf(u, false, true);
    const post = fits(open.cost, withPost);
    open.add(u, post ? withPost : open.costOf(u, false, false), false, post);
    if (!(await flush())) {
      await writeAll(kv, null, deletesOf(u.pre ?? []));
      return committed;
    }
    // Parts nothing points to any more: garbage whoever owns the instance now.
    if (!post) await writeAll(kv, null, u.post ?? []);
  }
  await flush();
  return committed;
}

function deletesOf(muts: readonly Deno.KvMutation[]): Deno.KvMutation[] {
  return muts.map((m) => ({ type: "delete", key: m.key }));
}

/**
 * Commits plain mutations in as many atomics as needed, each checking `guard`
 * without bumping it. False when a check failed (earlier atomics stay).
 */
export async function writeAll(kv: Deno.Kv, guard: Guard | null, muts: readonly Deno.KvMutation[]): Promise<boolean> {
  const g = guard ? { ...guard, bump: false } : null;
  let open = new Pending(g);
  for (const m of muts) {
    const c = zero();
    addMut(c, m);
    if (!fits(open.cost, c)) {
      if (!(await open.commit(kv))) return false;
      open = new Pending(g);
    }
    open.add({ muts: [m] }, c, false, false);
  }
  return open.units === 0 || open.commit(kv);
}
