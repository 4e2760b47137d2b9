/**
 * A TaskStore in Deno KV (`Deno.openKv`; needs `--unstable-kv`). Key layout:
 * kv-keys.ts; limits of one atomic: kv-atomic.ts; values over 64 KiB: kv-values.ts.
 *
 * Concurrency: every write checks the instance's fence entry in each atomic,
 * so a deposed owner's token never writes (FencedError). Task writes also
 * rewrite that entry, which makes it the instance's task clock: any two task
 * writes of one instance conflict unless one read after the other committed,
 * and the loser re-reads and redoes its rest. That is what makes claimInit
 * atomic and keeps e.g. an update from undoing a concurrent claim, with one
 * check per atomic instead of one per row (Deno KV allows 100 checks).
 *
 * A batch bigger than one atomic (1,000 mutations, ~800 KB) commits in
 * several, in order; each is all-or-nothing and fenced, so a deposed owner
 * may leave a prefix of its last batch, never a write after its deposition.
 * An insert that failed after a prefix landed can be retried with the same
 * batch: the prefix is found under its seqs and counted (insertTasks' 1s).
 */
import { FAILED, INIT, PULLED, RUNNING } from "../../core-as/shared/constants.ts";
import { expectInt } from "../../src/errors/validate.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import type { JsonValue } from "../../src/protocol/messages.ts";
import { DuplicateInstanceError, FencedError, LeaseHeldError, UnknownInstanceError } from "../../src/store/errors.ts";
import type {
  Fence, InstancePatch, InstanceRecord, InstanceStatus, LeaseTerms, NewInstance, NewTask, ResultRow, StatusCount,
  StatusUpdate, TaskRow, TaskStatusCode, TaskStore,
} from "../../src/store/task-store.ts";
import { commitUnits, GET_MANY, type Guard, type Unit, utf8Bytes, writeAll } from "./kv-atomic.ts";
import { KvKeys } from "./kv-keys.ts";
import { drop, load, spill, type Val } from "./kv-values.ts";
import {
  checkedTask, checkedUpdate, checkExpiredQuery, checkFences, checkLease, checkListFilter, checkNewInstance, checkPatch, checkReset, checkSeqs, checkStatus,
  checkWorker, type CheckedTask, type CheckedUpdate, decodeJson, encodeJson, expectBoolean, expectString,
  firstOfEachTaskId, NULL_TEXT, requireLease,
} from "../../src/store/input.ts";

/** Rows `results` reads at a time unless told. */
const DEFAULT_PAGE_SIZE = 1000;
/** Rows read per step of a scan, a claim or a worker's failover. */
const STEP = 1000;
/** Longest id (taskId, name, worker, owner, ...): ids go into keys, which Deno KV caps at 2 KiB. */
const ID_BYTES = 1024;
/** Reads in flight at once. */
const READS = 32;

/** ["fence", id]: who owns the instance, and where its tasks live. */
interface FenceValue {
  readonly owner: string;
  readonly token: number;
  /** Task space: the number in the instance's task keys. */
  readonly ts: number;
}

/**
 * ["lease", id]: the lease taken with `token` (until null: none). Every
 * acquisition rewrites it in the atomic that moves the token, so a renewal
 * that checked it cannot land after a takeover; it counts only while its
 * token is the fence's.
 */
interface LeaseValue {
  readonly owner: string;
  readonly token: number;
  readonly until: number | null;
}

/** ["inst", id]: the record without owner and fence. */
interface InstValue {
  readonly order: number;
  readonly processor: string;
  readonly settings: Val;
  readonly params: Val;
  readonly status: InstanceStatus;
  readonly result: Val;
  readonly serialNum: number;
  readonly createdAt: number;
  readonly finishedAt: number | null;
  readonly progress: Val;
}

/** ["t", ts, seq]: one task. */
interface Row {
  /** taskId */
  readonly t: string;
  /** parentId */
  readonly p: string | null;
  /** name */
  readonly n: string;
  /** body */
  readonly b: Val;
  /** status */
  readonly s: TaskStatusCode;
  /** attempt */
  readonly a: number;
  /** worker */
  readonly w: string | null;
  /** result */
  readonly r: Val;
  /** queued: the owner holds it in memory; claimInit skips it */
  readonly q: boolean;
}

/** The fence entry as read, used as every atomic's guard. */
interface Own extends Guard {
  readonly value: FenceValue;
}

/** A write in progress: its fence entry, refreshed after a conflict. */
interface Session {
  readonly fence: Fence;
  own: Own;
}

/** A row's new state, and its new result text when it changes. */
type Change = { next: Row; result?: string } | null;

const claimable = (r: Row): boolean => r.s === INIT && !r.q;
/** When the current owner's lease runs out: the lease entry counts only for the fence's token. */
const leaseOf = (f: FenceValue, l: LeaseValue | null): number | null => (l !== null && l.token === f.token ? l.until : null);
const inFlightAt = (r: Row): string | null => ((r.s === PULLED || r.s === RUNNING) ? r.w : null);

function checkId(field: string, value: string): string {
  if (utf8Bytes(value) > ID_BYTES) throw new ValidationError(field, `at most ${ID_BYTES} bytes of UTF-8 (Deno KV keys are small)`, value);
  return value;
}

/** Runs `fns` with at most READS in flight. */
async function inWaves(fns: (() => Promise<void>)[]): Promise<void> {
  for (let i = 0; i < fns.length; i += READS) await Promise.all(fns.slice(i, i + READS).map((f) => f()));
}

/** Options of DenoKvStore. */
export interface DenoKvStoreOptions {
  /**
   * Prefix of every key the store writes, so a database can hold other data or several stores.
   * @default ["taskmill"]
   */
  prefix?: Deno.KvKeyPart[];
}

/**
 * A TaskStore in Deno KV.
 * @example const store = await DenoKvStore.open("./taskmill.kv");
 * @example const store = new DenoKvStore(await Deno.openKv(":memory:")); // the caller closes the kv
 */
export class DenoKvStore implements TaskStore {
  readonly kind = "deno-kv";
  readonly #kv: Deno.Kv;
  readonly #k: KvKeys;
  /** The store opened the kv, so close() closes it. */
  readonly #owned: boolean;
  #closed = false;

  /** Opens `path` (`Deno.openKv(path)`: a file, ":memory:", or the default database) and owns it. */
  static async open(path?: string, options: DenoKvStoreOptions = {}): Promise<DenoKvStore> {
    return new DenoKvStore(await Deno.openKv(path), options, true);
  }

  /** Uses an open kv; close() leaves it open unless the store opened it. */
  constructor(kv: Deno.Kv, options: DenoKvStoreOptions = {}, owned = false) {
    if (typeof kv !== "object" || kv === null || typeof kv.atomic !== "function") {
      throw new ValidationError("kv", "a Deno.Kv", kv);
    }
    const prefix = options.prefix ?? ["taskmill"];
    if (!Array.isArray(prefix)) throw new ValidationError("prefix", "an array of key parts", prefix);
    this.#kv = kv;
    this.#k = new KvKeys(prefix);
    this.#owned = owned;
  }

  // ---------------------------------------------------------------- instances

  async createInstance(instance: NewInstance, owner: string, lease?: LeaseTerms): Promise<Fence> {
    const c = checkNewInstance(instance, owner);
    const terms = checkLease(lease);
    const id = checkId("instanceId", c.instanceId);
    checkId("processor", c.processor);
    checkId("owner", c.owner);
    const k = this.#k;
    for (;;) {
      const [meta, had] = await this.#kv.getMany<[number, FenceValue]>([k.meta(), k.fence(id)]);
      if (had.value !== null) throw new DuplicateInstanceError(id);
      const order = (meta.value ?? 0) + 1;
      const settings = spill(k.instPart(id, "settings"), c.settings);
      const params = spill(k.instPart(id, "params"), c.params);
      const inst: InstValue = {
        order, processor: c.processor, settings: settings.val, params: params.val, status: "RUNNING",
        result: NULL_TEXT, serialNum: c.serialNum, createdAt: c.createdAt, finishedAt: null, progress: NULL_TEXT,
      };
      const unit: Unit = {
        checks: [{ key: meta.key, versionstamp: meta.versionstamp }, { key: had.key, versionstamp: null }],
        muts: [
          { type: "set", key: k.meta(), value: order },
          { type: "set", key: k.fence(id), value: { owner: c.owner, token: 1, ts: order } satisfies FenceValue },
          { type: "set", key: k.lease(id), value: { owner: c.owner, token: 1, until: terms?.until ?? null } satisfies LeaseValue },
          { type: "set", key: k.inst(id), value: inst },
          { type: "set", key: k.created(c.createdAt, order), value: id },
          { type: "set", key: k.status("RUNNING", c.createdAt, order), value: id },
        ],
        pre: [...settings.sets, ...params.sets],
      };
      if (await commitUnits(this.#kv, null, [unit]) === 1) return { instanceId: id, token: 1 };
    }
  }

  async acquireInstance(instanceId: string, owner: string, lease?: LeaseTerms): Promise<Fence> {
    checkId("owner", expectString("owner", owner));
    const terms = checkLease(lease);
    if (!this.#isId(instanceId)) throw new UnknownInstanceError(String(instanceId));
    for (;;) {
      const [f, l] = await this.#kv.getMany<[FenceValue, LeaseValue]>([this.#k.fence(instanceId), this.#k.lease(instanceId)]);
      if (f.value === null) throw new UnknownInstanceError(instanceId);
      const until = leaseOf(f.value, l.value);
      if (terms !== null && until !== null && until > terms.now && f.value.owner !== owner) {
        throw new LeaseHeldError(instanceId, f.value.owner, until);
      }
      const next: FenceValue = { ...f.value, owner, token: f.value.token + 1 };
      // Both entries change in one atomic that checked both: of two masters racing, one commits.
      const res = await this.#kv.atomic().check(f, l)
        .set(f.key, next)
        .set(l.key, { owner, token: next.token, until: terms?.until ?? null } satisfies LeaseValue)
        .commit();
      if (res.ok) return { instanceId, token: next.token };
    }
  }

  async renewLeases(owner: string, fences: readonly Fence[], lease: LeaseTerms): Promise<string[]> {
    expectString("owner", owner);
    const checked = checkFences(fences);
    const terms = requireLease(lease);
    const renewed: string[] = [];
    await inWaves(checked.map((fence) => async () => {
      if (!this.#isId(fence.instanceId)) return;
      for (;;) {
        const [f, l] = await this.#kv.getMany<[FenceValue, LeaseValue]>([this.#k.fence(fence.instanceId), this.#k.lease(fence.instanceId)]);
        if (f.value === null || f.value.owner !== owner || f.value.token !== fence.token) return;
        // The lease entry's check is enough: every acquisition rewrites it, task writes never touch it.
        const res = await this.#kv.atomic().check(l)
          .set(l.key, { owner, token: fence.token, until: terms.until } satisfies LeaseValue).commit();
        if (res.ok) { renewed.push(fence.instanceId); return; }
      }
    }));
    return renewed;
  }

  async expiredInstances(now: number, limit?: number): Promise<InstanceRecord[]> {
    const q = checkExpiredQuery(now, limit);
    const max = q.limit ?? Infinity;
    const out: InstanceRecord[] = [];
    if (max === 0) return out;
    // The RUNNING index lists oldest first; read it in pages and keep the expired ones.
    let page: string[] = [];
    const flush = async () => {
      const per = Math.floor(GET_MANY / 3);
      const got: (InstanceRecord | null)[] = new Array(page.length).fill(null);
      const ids = page;
      const reads: (() => Promise<void>)[] = [];
      for (let i = 0; i < ids.length; i += per) {
        reads.push(async () => {
          const part = ids.slice(i, i + per);
          const rows = await this.#kv.getMany(part.flatMap((id) => [this.#k.fence(id), this.#k.inst(id), this.#k.lease(id)]));
          for (let j = 0; j < part.length; j++) {
            const f = rows[3 * j]!.value as FenceValue | null;
            const v = rows[3 * j + 1]!.value as InstValue | null;
            const l = rows[3 * j + 2]!.value as LeaseValue | null;
            if (f === null || v === null || v.status !== "RUNNING") continue;
            const until = leaseOf(f, l);
            if (until === null || until <= q.now) got[i + j] = await this.#record(part[j]!, f, v, l);
          }
        });
      }
      await inWaves(reads);
      for (const r of got) if (r !== null && out.length < max) out.push(r);
      page = [];
    };
    for await (const e of this.#kv.list<string>({ prefix: this.#k.allStatus("RUNNING") }, { batchSize: STEP })) {
      page.push(e.value);
      if (page.length === STEP) {
        await flush();
        if (out.length >= max) return out;
      }
    }
    await flush();
    return out;
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | null> {
    if (!this.#isId(instanceId)) return null;
    const [f, i, l] = await this.#kv.getMany<[FenceValue, InstValue, LeaseValue]>(
      [this.#k.fence(instanceId), this.#k.inst(instanceId), this.#k.lease(instanceId)]);
    return f.value === null || i.value === null ? null : this.#record(instanceId, f.value, i.value, l.value);
  }

  async listInstances(filter: { status?: InstanceStatus; limit?: number } = {}): Promise<InstanceRecord[]> {
    const { status, limit } = checkListFilter(filter);
    if (limit === 0) return [];
    const prefix = status === undefined ? this.#k.allCreated() : this.#k.allStatus(status);
    const ids: string[] = [];
    for await (const e of this.#kv.list<string>({ prefix }, { reverse: true, limit })) ids.push(e.value);
    const out: (InstanceRecord | null)[] = new Array(ids.length);
    const per = Math.floor(GET_MANY / 3); // three keys per instance
    const reads: (() => Promise<void>)[] = [];
    for (let i = 0; i < ids.length; i += per) {
      reads.push(async () => {
        const part = ids.slice(i, i + per);
        const got = await this.#kv.getMany(part.flatMap((id) => [this.#k.fence(id), this.#k.inst(id), this.#k.lease(id)]));
        for (let j = 0; j < part.length; j++) {
          const f = got[3 * j]!.value as FenceValue | null;
          const v = got[3 * j + 1]!.value as InstValue | null;
          const l = got[3 * j + 2]!.value as LeaseValue | null;
          out[i + j] = f === null || v === null ? null : await this.#record(part[j]!, f, v, l);
        }
      });
    }
    await inWaves(reads);
    return out.filter((r): r is InstanceRecord => r !== null);
  }

  async updateInstance(fence: Fence, patch: InstancePatch): Promise<void> {
    const s = await this.#session(fence, false);
    const p = checkPatch(patch);
    const id = fence.instanceId;
    const k = this.#k;
    for (;;) {
      const e = await this.#kv.get<InstValue>(k.inst(id));
      const old = e.value!;
      const pre: Deno.KvMutation[] = [];
      const post: Deno.KvMutation[] = [];
      const replace = (field: "result" | "progress", text: string | undefined): Val => {
        if (text === undefined) return old[field];
        const base = k.instPart(id, field);
        const next = spill(base, text);
        pre.push(...next.sets);
        post.push(...drop(base, old[field]));
        return next.val;
      };
      const next: InstValue = {
        ...old,
        status: p.status ?? old.status,
        result: replace("result", p.result),
        progress: replace("progress", p.progress),
        serialNum: p.serialNum ?? old.serialNum,
        finishedAt: p.finishedAt === undefined ? old.finishedAt : p.finishedAt,
      };
      const muts: Deno.KvMutation[] = [{ type: "set", key: e.key, value: next }];
      if (next.status !== old.status) {
        muts.push({ type: "delete", key: k.status(old.status, old.createdAt, old.order) });
        muts.push({ type: "set", key: k.status(next.status, old.createdAt, old.order), value: id });
      }
      const unit: Unit = { checks: [{ key: e.key, versionstamp: e.versionstamp }], muts, pre, post };
      if (await commitUnits(this.#kv, s.own, [unit]) === 1) return;
      await this.#refresh(s, false);
    }
  }

  // -------------------------------------------------------------------- tasks

  async insertTasks(fence: Fence, tasks: readonly NewTask[]): Promise<Uint8Array> {
    const s = await this.#session(fence);
    const stored = new Uint8Array(tasks.length);
    const checked: CheckedTask[] = new Array(tasks.length);
    for (let i = 0; i < tasks.length; i++) {
      const t = checked[i] = checkedTask(i, tasks[i]!);
      checkId(`tasks[${i}].taskId`, t.taskId);
      checkId(`tasks[${i}].name`, t.name);
      if (t.parentId !== null) checkId(`tasks[${i}].parentId`, t.parentId);
    }
    // The first task of each taskId in the batch; a repeat stays 0.
    let todo = firstOfEachTaskId(checked) ?? checked.map((_, i) => i);
    const k = this.#k;
    while (todo.length > 0) {
      const ts = s.own.value.ts;
      // Tasks whose taskId is stored are left as they are; under their own seq
      // (an earlier attempt of this batch, or a part of it committed before a conflict) they count.
      const known = new Set<string>();
      const reads: (() => Promise<void>)[] = [];
      for (let i = 0; i < todo.length; i += GET_MANY) {
        const part = todo.slice(i, i + GET_MANY);
        reads.push(async () => {
          const got = await this.#kv.getMany<number[]>(part.map((j) => k.tid(ts, checked[j]!.taskId)));
          for (let j = 0; j < part.length; j++) {
            const seq = got[j]!.value;
            if (seq === null) continue;
            const t = checked[part[j]!]!;
            known.add(t.taskId);
            if (seq === t.seq) stored[part[j]!] = 1;
          }
        });
      }
      await inWaves(reads);
      const fresh = todo.filter((i) => !known.has(checked[i]!.taskId));
      // A seq is unique per instance: one reused for a new taskId is the caller's error.
      const seqs = new Set<number>();
      for (const i of fresh) {
        const seq = checked[i]!.seq;
        if (seqs.has(seq)) throw new ValidationError(`tasks[${i}].seq`, "a seq no other task holds", seq);
        seqs.add(seq);
      }
      const taken = await this.#readRows(ts, [...seqs]);
      for (const i of fresh) {
        if (taken.has(checked[i]!.seq)) throw new ValidationError(`tasks[${i}].seq`, "a seq no other task holds", checked[i]!.seq);
      }
      const units = fresh.map((i): Unit => {
        const t = checked[i]!;
        const body = spill(k.rowPart(ts, t.seq, "b"), t.body);
        const row: Row = { t: t.taskId, p: t.parentId, n: t.name, b: body.val, s: INIT, a: 0, w: null, r: NULL_TEXT, q: t.queued };
        const muts: Deno.KvMutation[] = [
          { type: "set", key: k.row(ts, t.seq), value: row },
          { type: "set", key: k.tid(ts, t.taskId), value: t.seq },
        ];
        if (!t.queued) muts.push({ type: "set", key: k.unq(ts, t.seq), value: 1 });
        return { muts, sums: [this.#sum(ts, t.name, INIT, 1)], pre: body.sets };
      });
      const done = await commitUnits(this.#kv, s.own, units);
      for (let j = 0; j < done; j++) stored[fresh[j]!] = 1;
      if (done === units.length) break;
      await this.#refresh(s);
      todo = fresh.slice(done);
    }
    return stored;
  }

  async updateStatuses(fence: Fence, updates: readonly StatusUpdate[]): Promise<void> {
    const s = await this.#session(fence);
    const bySeq = new Map<number, CheckedUpdate[]>();
    for (let i = 0; i < updates.length; i++) {
      const u = checkedUpdate(i, updates[i]!);
      if (u.worker !== null) checkId(`updates[${i}].worker`, u.worker);
      const list = bySeq.get(u.seq);
      if (list) list.push(u);
      else bySeq.set(u.seq, [u]);
    }
    await this.#rewrite(s, [...bySeq.keys()], (row, seq) => {
      let next = row;
      let result: string | undefined;
      for (const u of bySeq.get(seq)!) {
        next = { ...next, s: u.status, a: u.attempt, w: u.worker };
        if (u.result !== undefined) result = u.result;
      }
      return { next, result };
    });
  }

  async setStatus(fence: Fence, seqs: readonly number[], status: TaskStatusCode, worker: string | null): Promise<void> {
    const s = await this.#session(fence);
    checkStatus("status", status);
    checkWorker("worker", worker);
    if (worker !== null) checkId("worker", worker);
    checkSeqs(seqs);
    await this.#rewrite(s, seqs, (row) => ({ next: { ...row, s: status, w: worker } }));
  }

  async resetWorkerTasks(
    fence: Fence, worker: string, to: { status: 1; queued: boolean } | { status: 5; result: JsonValue },
  ): Promise<number> {
    const s = await this.#session(fence);
    expectString("worker", worker, false);
    const target = checkReset(to);
    if (utf8Bytes(worker) > ID_BYTES) return 0; // never stored
    const change = (row: Row): Change => {
      if (inFlightAt(row) !== worker) return null;
      return target.status === INIT
        ? { next: { ...row, s: INIT, a: row.a + 1, w: null, q: target.queued } }
        : { next: { ...row, s: FAILED }, result: target.result };
    };
    let changed = 0;
    let from = 0;
    for (;;) {
      const ts = s.own.value.ts;
      const seqs: number[] = [];
      const it = this.#kv.list({ prefix: this.#k.wks(ts, worker), start: this.#k.wk(ts, worker, from) }, { limit: STEP });
      for await (const e of it) seqs.push(e.key[e.key.length - 1] as number);
      if (seqs.length === 0) return changed;
      changed += await this.#rewrite(s, seqs, change);
      if (seqs.length < STEP) return changed;
      from = seqs[seqs.length - 1]! + 1;
    }
  }

  async failUnfinished(fence: Fence, result: JsonValue): Promise<number> {
    const s = await this.#session(fence);
    const text = encodeJson("result", result);
    return this.#scan(s, (row) => (row.s === INIT || row.s === PULLED || row.s === RUNNING
      ? { next: { ...row, s: FAILED }, result: text }
      : null));
  }

  async resetForResume(fence: Fence, failover: boolean, result: JsonValue): Promise<void> {
    const s = await this.#session(fence);
    expectBoolean("failover", failover);
    const text = encodeJson("result", result);
    await this.#scan(s, (row) => {
      if (row.s === PULLED || row.s === RUNNING) {
        return failover
          ? { next: { ...row, s: INIT, a: row.a + 1, w: null, q: false } }
          : { next: { ...row, s: FAILED }, result: text };
      }
      return row.s === INIT && row.q ? { next: { ...row, q: false } } : null;
    });
  }

  async claimInit(fence: Fence, limit: number): Promise<TaskRow[]> {
    const s = await this.#session(fence);
    expectInt("limit", limit, 0);
    const k = this.#k;
    const claimed: [number, Row][] = [];
    while (claimed.length < limit) {
      const ts = s.own.value.ts;
      const want = Math.min(limit - claimed.length, STEP);
      const seqs: number[] = [];
      for await (const e of this.#kv.list({ prefix: k.unqs(ts) }, { limit: want })) seqs.push(e.key[e.key.length - 1] as number);
      if (seqs.length === 0) break;
      const rows = await this.#readRows(ts, seqs);
      const units: Unit[] = [];
      const picked: (Row | null)[] = []; // the row each unit claims, null for a dropped index entry
      for (const seq of seqs) {
        const row = rows.get(seq);
        if (row === undefined || !claimable(row)) {
          // Read after a concurrent write (then the commit's check fails), or a stray entry: drop it.
          units.push({ muts: [{ type: "delete", key: k.unq(ts, seq) }] });
          picked.push(null);
        } else {
          units.push(this.#unit(ts, seq, row, { next: { ...row, q: true } }));
          picked.push(row);
        }
      }
      const done = await commitUnits(this.#kv, s.own, units);
      for (let j = 0; j < done; j++) if (picked[j] !== null) claimed.push([seqs[j]!, picked[j]!]);
      if (done < units.length) await this.#refresh(s);
      else if (seqs.length < want) break;
    }
    claimed.sort((a, b) => a[0] - b[0]);
    const ts = s.own.value.ts;
    return Promise.all(claimed.map(([seq, row]) => this.#taskRow(ts, seq, row)));
  }

  async countByStatus(instanceId: string): Promise<StatusCount[]> {
    const ts = await this.#tsOf(instanceId);
    if (ts === null) return [];
    const out: StatusCount[] = [];
    for await (const e of this.#kv.list<Deno.KvU64>({ prefix: this.#k.cnts(ts) })) {
      const count = Number(e.value.value);
      if (count === 0) continue;
      out.push({ name: e.key[e.key.length - 2] as string, status: e.key[e.key.length - 1] as TaskStatusCode, count });
    }
    // Keys order names by UTF-8 bytes; the other backends order them as JavaScript strings.
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.status - b.status));
  }

  async maxSeq(instanceId: string): Promise<number> {
    const ts = await this.#tsOf(instanceId);
    if (ts === null) return -1;
    for await (const e of this.#kv.list({ prefix: this.#k.rows(ts) }, { reverse: true, limit: 1 })) {
      return e.key[e.key.length - 1] as number;
    }
    return -1;
  }

  async getTask(instanceId: string, taskId: string): Promise<TaskRow | null> {
    if (typeof taskId !== "string" || taskId.length === 0 || utf8Bytes(taskId) > ID_BYTES) return null;
    const ts = await this.#tsOf(instanceId);
    if (ts === null) return null;
    const seq = (await this.#kv.get<number>(this.#k.tid(ts, taskId))).value;
    if (seq === null) return null;
    const row = (await this.#kv.get<Row>(this.#k.row(ts, seq))).value;
    return row === null ? null : this.#taskRow(ts, seq, row);
  }

  /** @param pageSize rows read at a time. @default 1000 */
  results(instanceId: string, pageSize: number = DEFAULT_PAGE_SIZE): AsyncIterable<ResultRow> {
    expectInt("pageSize", pageSize, 1);
    return this.#pages(instanceId, pageSize);
  }

  async clearTasks(fence: Fence): Promise<void> {
    const s = await this.#session(fence);
    const k = this.#k;
    // One atomic moves the instance to an empty task space; the old one is garbage from then on.
    for (;;) {
      const meta = await this.#kv.get<number>(k.meta());
      const ts = (meta.value ?? 0) + 1;
      const res = await this.#kv.atomic()
        .check({ key: s.own.key, versionstamp: s.own.versionstamp }, meta)
        .set(k.meta(), ts)
        .set(s.own.key, { ...s.own.value, ts } satisfies FenceValue)
        .set(k.gc(s.own.value.ts), fence.instanceId)
        .commit();
      if (res.ok) break;
      await this.#refresh(s);
    }
    await this.#sweep();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) this.#kv.close();
  }

  // ------------------------------------------------------------------ helpers

  #isId(id: unknown): id is string {
    return typeof id === "string" && utf8Bytes(id) <= ID_BYTES;
  }

  async #fenceOf(instanceId: string): Promise<Own | null> {
    if (!this.#isId(instanceId)) return null;
    const e = await this.#kv.get<FenceValue>(this.#k.fence(instanceId));
    return e.value === null ? null : { key: e.key, value: e.value, versionstamp: e.versionstamp, bump: true };
  }

  async #tsOf(instanceId: string): Promise<number | null> {
    return (await this.#fenceOf(instanceId))?.value.ts ?? null;
  }

  /** The fence entry, when `fence` is the instance's current one. `bump`: the writes are task writes. */
  async #session(fence: Fence, bump = true): Promise<Session> {
    return { fence, own: await this.#current(fence, bump) };
  }

  /** Re-reads the fence entry after a conflict: FencedError when deposed meanwhile. */
  async #refresh(s: Session, bump = true): Promise<void> {
    s.own = await this.#current(s.fence, bump);
  }

  async #current(fence: Fence, bump: boolean): Promise<Own> {
    const own = await this.#fenceOf(fence.instanceId);
    if (own === null) throw new UnknownInstanceError(fence.instanceId);
    if (own.value.token !== fence.token) throw new FencedError(fence.instanceId, fence.token, own.value.token);
    return bump ? own : { ...own, bump: false };
  }

  #sum(ts: number, name: string, status: number, delta: number) {
    return { id: `${status}\u0000${name}`, key: this.#k.cnt(ts, name, status), delta };
  }

  /** The writes that move row `seq` from `old` to `c.next`, its indexes and counters with it. */
  #unit(ts: number, seq: number, old: Row, c: NonNullable<Change>): Unit {
    const k = this.#k;
    let next = c.next;
    let pre: Deno.KvMutation[] = [];
    let post: Deno.KvMutation[] = [];
    if (c.result !== undefined) {
      const base = k.rowPart(ts, seq, "r");
      const r = spill(base, c.result);
      next = { ...next, r: r.val };
      pre = r.sets;
      post = drop(base, old.r);
    }
    const muts: Deno.KvMutation[] = [{ type: "set", key: k.row(ts, seq), value: next }];
    if (claimable(old) !== claimable(next)) {
      muts.push(claimable(next) ? { type: "set", key: k.unq(ts, seq), value: 1 } : { type: "delete", key: k.unq(ts, seq) });
    }
    const was = inFlightAt(old);
    const now = inFlightAt(next);
    if (was !== now) {
      if (was !== null) muts.push({ type: "delete", key: k.wk(ts, was, seq) });
      if (now !== null) muts.push({ type: "set", key: k.wk(ts, now, seq), value: 1 });
    }
    const sums = old.s === next.s ? [] : [this.#sum(ts, old.n, old.s, -1), this.#sum(ts, next.n, next.s, 1)];
    return { muts, sums, pre, post };
  }

  /** Applies `change` to the rows at `seqs` (unknown seqs are skipped); returns how many changed. */
  async #rewrite(s: Session, seqs: readonly number[], change: (row: Row, seq: number) => Change): Promise<number> {
    const sorted = [...new Set(seqs)].sort((a, b) => a - b);
    let changed = 0;
    for (let i = 0; i < sorted.length; i += STEP) {
      let todo = sorted.slice(i, i + STEP);
      while (todo.length > 0) {
        const ts = s.own.value.ts;
        const rows = await this.#readRows(ts, todo);
        const units: Unit[] = [];
        const at: number[] = [];
        for (const seq of todo) {
          const row = rows.get(seq);
          const c = row === undefined ? null : change(row, seq);
          if (c === null) continue;
          units.push(this.#unit(ts, seq, row!, c));
          at.push(seq);
        }
        const done = await commitUnits(this.#kv, s.own, units);
        changed += done;
        if (done === units.length) break;
        await this.#refresh(s);
        todo = at.slice(done);
      }
    }
    return changed;
  }

  /** Applies `change` to every row, page by page; returns how many changed. */
  async #scan(s: Session, change: (row: Row) => Change): Promise<number> {
    const k = this.#k;
    let changed = 0;
    let from = 0;
    for (;;) {
      const ts = s.own.value.ts;
      const units: Unit[] = [];
      const at: number[] = [];
      let read = 0;
      let last = -1;
      for await (const e of this.#kv.list<Row>({ prefix: k.rows(ts), start: k.row(ts, from) }, { limit: STEP })) {
        read++;
        last = e.key[e.key.length - 1] as number;
        const c = change(e.value);
        if (c === null) continue;
        units.push(this.#unit(ts, last, e.value, c));
        at.push(last);
      }
      const done = await commitUnits(this.#kv, s.own, units);
      changed += done;
      if (done < units.length) {
        await this.#refresh(s);
        from = s.own.value.ts === ts ? at[done]! : 0;
        continue;
      }
      if (read < STEP) return changed;
      from = last + 1;
    }
  }

  /** Rows at `seqs`: runs of near seqs in one range read each, the rest by getMany. */
  async #readRows(ts: number, seqs: readonly number[]): Promise<Map<number, Row>> {
    const out = new Map<number, Row>();
    const sorted = [...new Set(seqs)].sort((a, b) => a - b);
    const reads: (() => Promise<void>)[] = [];
    const singles: number[] = [];
    for (let i = 0; i < sorted.length;) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1]! - sorted[j]! <= 4) j++;
      if (j - i >= 3) {
        const start = this.#k.row(ts, sorted[i]!);
        const end = this.#k.row(ts, sorted[j]! + 1);
        reads.push(async () => {
          for await (const e of this.#kv.list<Row>({ start, end }, { batchSize: 1000 })) out.set(e.key[e.key.length - 1] as number, e.value);
        });
      } else {
        for (let m = i; m <= j; m++) singles.push(sorted[m]!);
      }
      i = j + 1;
    }
    for (let i = 0; i < singles.length; i += GET_MANY) {
      const part = singles.slice(i, i + GET_MANY);
      reads.push(async () => {
        const got = await this.#kv.getMany<Row[]>(part.map((seq) => this.#k.row(ts, seq)));
        for (let m = 0; m < part.length; m++) if (got[m]!.value !== null) out.set(part[m]!, got[m]!.value!);
      });
    }
    await inWaves(reads);
    return out;
  }

  async #taskRow(ts: number, seq: number, row: Row): Promise<TaskRow> {
    const [body, result] = await Promise.all([
      load(this.#kv, this.#k.rowPart(ts, seq, "b"), row.b),
      load(this.#kv, this.#k.rowPart(ts, seq, "r"), row.r),
    ]);
    return {
      seq, taskId: row.t, parentId: row.p, name: row.n, body: decodeJson(body),
      status: row.s, attempt: row.a, worker: row.w, result: decodeJson(result),
    };
  }

  async #record(id: string, f: FenceValue, v: InstValue, l: LeaseValue | null): Promise<InstanceRecord> {
    const k = this.#k;
    const [settings, params, result, progress] = await Promise.all([
      load(this.#kv, k.instPart(id, "settings"), v.settings),
      load(this.#kv, k.instPart(id, "params"), v.params),
      load(this.#kv, k.instPart(id, "result"), v.result),
      load(this.#kv, k.instPart(id, "progress"), v.progress),
    ]);
    return {
      instanceId: id, processor: v.processor, settings: decodeJson(settings), params: decodeJson(params), status: v.status,
      result: decodeJson(result), serialNum: v.serialNum, owner: f.owner, fence: f.token, leaseUntil: leaseOf(f, l), createdAt: v.createdAt,
      finishedAt: v.finishedAt, progress: decodeJson(progress) as InstanceRecord["progress"],
    };
  }

  /** Reads page after page by key, each page one list call, so rows changed meanwhile never repeat or shift a page. */
  async *#pages(instanceId: string, pageSize: number): AsyncGenerator<ResultRow> {
    let ts: number | undefined;
    let cursor: string | undefined;
    for (;;) {
      const now = await this.#tsOf(instanceId);
      if (now === null || (ts !== undefined && now !== ts)) return; // gone or cleared meanwhile
      ts = now;
      const it = this.#kv.list<Row>({ prefix: this.#k.rows(ts) }, { limit: pageSize, cursor, batchSize: Math.min(pageSize, 1000) });
      const rows: Deno.KvEntry<Row>[] = [];
      for await (const e of it) rows.push(e);
      if (rows.length === 0) return;
      cursor = it.cursor;
      const space = ts;
      // Copied out before yielding: the page is one read.
      const page = await Promise.all(rows.map(async (e): Promise<ResultRow> => ({
        taskId: e.value.t, name: e.value.n, status: e.value.s,
        result: decodeJson(await load(this.#kv, this.#k.rowPart(space, e.key[e.key.length - 1] as number, "r"), e.value.r)),
      })));
      yield* page;
      if (rows.length < pageSize) return;
    }
  }

  /** Deletes the task spaces clearTasks left (its own, and any an interrupted one left before). */
  async #sweep(): Promise<void> {
    const k = this.#k;
    for await (const g of this.#kv.list({ prefix: k.allGc() })) {
      const ts = g.key[g.key.length - 1] as number;
      for (const prefix of k.space(ts)) {
        let batch: Deno.KvMutation[] = [];
        for await (const e of this.#kv.list({ prefix }, { batchSize: 1000 })) {
          batch.push({ type: "delete", key: e.key });
          if (batch.length === 1000) {
            await writeAll(this.#kv, null, batch);
            batch = [];
          }
        }
        await writeAll(this.#kv, null, batch);
      }
      await this.#kv.delete(g.key);
    }
  }
}
