/**
 * A TaskStore in IndexedDB through idb-keyval: one object store, array keys
 * (IndexedDB orders them element by element, so a key prefix is a range):
 *
 *   ["meta"]                          → last creation order handed out
 *   ["fence", id]                     → { owner, token, until }: until is when
 *                                       the owner's lease runs out (null or absent: none)
 *   ["inst", id]                      → the rest of the instance record
 *   ["created", createdAt, order]     → id   (listInstances, newest first by a reverse cursor)
 *   ["status", status, createdAt, order] → id (listInstances by status)
 *   ["t", id, seq]                    → the task row
 *   ["i", id, taskId]                 → seq   (idempotent insert, getTask)
 *   ["u", id, seq]                    → 1     (INIT and not queued: claimInit takes the lowest)
 *   ["w", id, worker, seq]            → 1     (PULLED/RUNNING at worker: resetWorkerTasks)
 *   ["c", id, name, status]           → count (countByStatus)
 *
 * Every method is one IndexedDB transaction that reads the fence entry and
 * writes in the same transaction, so the fencing check and the writes are
 * atomic even against another tab; a throw aborts it, so nothing of a
 * refused call lands. Calls on one IdbStore also run one after another
 * (a JS-level queue), in the order they were made.
 *
 * Web-standard only: runs in a browser page or worker (and under Node with
 * fake-indexeddb in tests).
 */
import { createStore, getMany, type UseStore } from "idb-keyval";
import { FAILED, INIT, PULLED, RUNNING } from "../../core-as/shared/constants.ts";
import { expectInt } from "../../src/errors/validate.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import type { JsonValue } from "../../src/protocol/messages.ts";
import { DuplicateInstanceError, FencedError, LeaseHeldError, UnknownInstanceError } from "../../src/store/errors.ts";
import type {
  Fence, InstancePatch, InstanceRecord, InstanceStatus, LeaseTerms, NewInstance, NewTask, ResultRow, StatusCount,
  StatusUpdate, TaskRow, TaskStatusCode, TaskStore,
} from "../../src/store/task-store.ts";
import { descending, lastPart, numbersFrom, prefixRange, req } from "./idb-requests.ts";
import {
  checkedTask, checkedUpdate, checkExpiredQuery, checkFences, checkLease, checkListFilter, checkNewInstance, checkPatch, checkReset, checkSeqs, checkStatus,
  checkWorker, type CheckedTask, type CheckedUpdate, decodeJson, encodeJson, expectBoolean, expectString,
  firstOfEachTaskId, NULL_TEXT, requireLease,
} from "../../src/store/input.ts";

/** Rows `results` reads at a time unless told. */
const DEFAULT_PAGE_SIZE = 1000;
/** Rows read at a time by a scan over an instance's tasks. */
const SCAN_PAGE = 1000;
/** Largest count getAll/getAllKeys take (an unsigned long). */
const MAX_COUNT = 0xffff_ffff;

/** ["fence", id] */
interface FenceValue {
  readonly owner: string;
  readonly token: number;
  /** When the owner's lease runs out; null or absent (written before leases): none. */
  readonly until?: number | null;
}

/** ["inst", id]: the record without owner and fence; JSON fields as text. */
interface InstValue {
  readonly order: number;
  readonly processor: string;
  readonly settings: string;
  readonly params: string;
  readonly status: InstanceStatus;
  readonly result: string;
  readonly serialNum: number;
  readonly createdAt: number;
  readonly finishedAt: number | null;
  readonly progress: string;
}

/** ["t", id, seq]: one task; body and result as JSON text. */
interface Row {
  /** taskId */
  readonly t: string;
  /** parentId */
  readonly p: string | null;
  /** name */
  readonly n: string;
  /** body */
  readonly b: string;
  /** status */
  readonly s: TaskStatusCode;
  /** attempt */
  readonly a: number;
  /** worker */
  readonly w: string | null;
  /** result */
  readonly r: string;
  /** queued: the owner holds it in memory; claimInit skips it */
  readonly q: boolean;
}

const claimable = (r: Row): boolean => r.s === INIT && !r.q;
const inFlightAt = (r: Row): string | null => ((r.s === PULLED || r.s === RUNNING) ? r.w : null);

const K = {
  meta: (): IDBValidKey => ["meta"],
  fence: (id: string): IDBValidKey => ["fence", id],
  inst: (id: string): IDBValidKey => ["inst", id],
  created: (createdAt: number, order: number): IDBValidKey => ["created", createdAt, order],
  status: (status: string, createdAt: number, order: number): IDBValidKey => ["status", status, createdAt, order],
  row: (id: string, seq: number): IDBValidKey => ["t", id, seq],
  tid: (id: string, taskId: string): IDBValidKey => ["i", id, taskId],
  unq: (id: string, seq: number): IDBValidKey => ["u", id, seq],
  wk: (id: string, worker: string, seq: number): IDBValidKey => ["w", id, worker, seq],
  cnt: (id: string, name: string, status: number): IDBValidKey => ["c", id, name, status],
};

/** Counter changes of one transaction, written once at its end. */
class Counts {
  readonly #deltas = new Map<string, { key: IDBValidKey; delta: number }>();

  constructor(readonly id: string) {}

  add(name: string, status: number, delta: number): void {
    const k = `${status}\u0000${name}`;
    const had = this.#deltas.get(k);
    if (had) had.delta += delta;
    else this.#deltas.set(k, { key: K.cnt(this.id, name, status), delta });
  }

  async write(os: IDBObjectStore): Promise<void> {
    const changes = [...this.#deltas.values()].filter((c) => c.delta !== 0);
    const now = await Promise.all(changes.map((c) => req(os.get(c.key)) as Promise<number | undefined>));
    for (let i = 0; i < changes.length; i++) {
      const n = (now[i] ?? 0) + changes[i]!.delta;
      if (n === 0) os.delete(changes[i]!.key);
      else os.put(n, changes[i]!.key);
    }
  }
}

/** A row's new state, or null for no change. */
type Change = Row | null;

/** Options of IdbStore. */
export interface IdbStoreOptions {
  /**
   * IndexedDB database name. The database holds this store's object store
   * only (idb-keyval creates it with the database), so give each store its own.
   * @default "taskmill"
   */
  dbName?: string;
  /** Object store name. @default "tasks" */
  storeName?: string;
}

/**
 * A TaskStore in the browser's IndexedDB.
 * @example const store = new IdbStore({ dbName: "taskmill" });
 */
export class IdbStore implements TaskStore {
  readonly kind = "indexeddb";
  readonly #use: UseStore;
  /** The open connection, once a call opened it. */
  #db: IDBDatabase | null = null;
  /** The last queued call; the next one starts when it settles. */
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: IdbStoreOptions = {}) {
    if (typeof options !== "object" || options === null) throw new ValidationError("options", "an object", options);
    const dbName = expectString("dbName", options.dbName ?? "taskmill");
    const storeName = expectString("storeName", options.storeName ?? "tasks");
    this.#use = createStore(dbName, storeName);
  }

  // ---------------------------------------------------------------- instances

  async createInstance(instance: NewInstance, owner: string, lease?: LeaseTerms): Promise<Fence> {
    const c = checkNewInstance(instance, owner);
    const terms = checkLease(lease);
    const id = c.instanceId;
    return this.#tx("readwrite", async (os) => {
      const [had, last] = await Promise.all([req(os.get(K.fence(id))), req(os.get(K.meta())) as Promise<number | undefined>]);
      if (had !== undefined) throw new DuplicateInstanceError(id);
      const order = (last ?? 0) + 1;
      const inst: InstValue = {
        order, processor: c.processor, settings: c.settings, params: c.params, status: "RUNNING", result: NULL_TEXT,
        serialNum: c.serialNum, createdAt: c.createdAt, finishedAt: null, progress: NULL_TEXT,
      };
      os.put(order, K.meta());
      os.put({ owner: c.owner, token: 1, until: terms?.until ?? null } satisfies FenceValue, K.fence(id));
      os.put(inst, K.inst(id));
      os.put(id, K.created(c.createdAt, order));
      os.put(id, K.status("RUNNING", c.createdAt, order));
      return { instanceId: id, token: 1 };
    });
  }

  async acquireInstance(instanceId: string, owner: string, lease?: LeaseTerms): Promise<Fence> {
    expectString("owner", owner);
    const terms = checkLease(lease);
    return this.#tx("readwrite", async (os) => {
      const f = await this.#fenceOf(os, instanceId);
      if (f === undefined) throw new UnknownInstanceError(instanceId);
      const until = f.until ?? null;
      if (terms !== null && until !== null && until > terms.now && f.owner !== owner) throw new LeaseHeldError(instanceId, f.owner, until);
      const token = f.token + 1;
      os.put({ owner, token, until: terms?.until ?? null } satisfies FenceValue, K.fence(instanceId));
      return { instanceId, token };
    });
  }

  async renewLeases(owner: string, fences: readonly Fence[], lease: LeaseTerms): Promise<string[]> {
    expectString("owner", owner);
    const checked = checkFences(fences);
    const terms = requireLease(lease);
    return this.#tx("readwrite", async (os) => {
      const found = await Promise.all(checked.map((f) => this.#fenceOf(os, f.instanceId)));
      const renewed: string[] = [];
      for (let i = 0; i < checked.length; i++) {
        const f = found[i];
        if (f === undefined || f.owner !== owner || f.token !== checked[i]!.token) continue;
        os.put({ ...f, until: terms.until } satisfies FenceValue, K.fence(checked[i]!.instanceId));
        renewed.push(checked[i]!.instanceId);
      }
      return renewed;
    });
  }

  async expiredInstances(now: number, limit?: number): Promise<InstanceRecord[]> {
    const q = checkExpiredQuery(now, limit);
    return this.#tx("readonly", async (os) => {
      // The RUNNING index, ascending: oldest first.
      const ids = await req(os.getAll(prefixRange(["status", "RUNNING"]))) as string[];
      const got = await Promise.all(ids.map((id) => Promise.all([
        req(os.get(K.fence(id))) as Promise<FenceValue | undefined>,
        req(os.get(K.inst(id))) as Promise<InstValue | undefined>,
      ])));
      const out: InstanceRecord[] = [];
      for (let i = 0; i < ids.length && out.length < (q.limit ?? Infinity); i++) {
        const [f, v] = got[i]!;
        if (f === undefined || v === undefined || v.status !== "RUNNING") continue;
        const until = f.until ?? null;
        if (until === null || until <= q.now) out.push(record(ids[i]!, f, v));
      }
      return out;
    });
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | null> {
    if (typeof instanceId !== "string") return null;
    return this.#run(async () => {
      const [f, v] = await getMany([K.fence(instanceId), K.inst(instanceId)], this.#use) as [FenceValue?, InstValue?];
      return f === undefined || v === undefined ? null : record(instanceId, f, v);
    });
  }

  async listInstances(filter: { status?: InstanceStatus; limit?: number } = {}): Promise<InstanceRecord[]> {
    const { status, limit = Infinity } = checkListFilter(filter);
    return this.#tx("readonly", async (os) => {
      const range = prefixRange(status === undefined ? ["created"] : ["status", status]);
      const ids = (await descending<string>(os, range, limit)).map(([, id]) => id);
      const got = await Promise.all(ids.map((id) => Promise.all([
        req(os.get(K.fence(id))) as Promise<FenceValue | undefined>,
        req(os.get(K.inst(id))) as Promise<InstValue | undefined>,
      ])));
      const out: InstanceRecord[] = [];
      for (let i = 0; i < ids.length; i++) {
        const [f, v] = got[i]!;
        if (f !== undefined && v !== undefined) out.push(record(ids[i]!, f, v));
      }
      return out;
    });
  }

  async updateInstance(fence: Fence, patch: InstancePatch): Promise<void> {
    return this.#tx("readwrite", async (os) => {
      await this.#own(os, fence);
      const p = checkPatch(patch);
      const id = fence.instanceId;
      const old = await req(os.get(K.inst(id))) as InstValue;
      const next: InstValue = {
        ...old,
        status: p.status ?? old.status,
        result: p.result ?? old.result,
        progress: p.progress ?? old.progress,
        serialNum: p.serialNum ?? old.serialNum,
        finishedAt: p.finishedAt === undefined ? old.finishedAt : p.finishedAt,
      };
      os.put(next, K.inst(id));
      if (next.status !== old.status) {
        os.delete(K.status(old.status, old.createdAt, old.order));
        os.put(id, K.status(next.status, old.createdAt, old.order));
      }
    });
  }

  // -------------------------------------------------------------------- tasks

  async insertTasks(fence: Fence, tasks: readonly NewTask[]): Promise<Uint8Array> {
    return this.#tx("readwrite", async (os) => {
      await this.#own(os, fence);
      const id = fence.instanceId;
      const stored = new Uint8Array(tasks.length);
      const checked: CheckedTask[] = new Array(tasks.length);
      for (let i = 0; i < tasks.length; i++) checked[i] = checkedTask(i, tasks[i]!);
      // The first task of each taskId in the batch; a repeat stays 0.
      const first = firstOfEachTaskId(checked) ?? checked.map((_, i) => i);
      // A stored taskId is left as it is; under its own seq (an earlier attempt of this batch) it counts.
      const known = await Promise.all(first.map((i) => req(os.get(K.tid(id, checked[i]!.taskId))) as Promise<number | undefined>));
      for (let j = 0; j < first.length; j++) if (known[j] === checked[first[j]!]!.seq) stored[first[j]!] = 1;
      const fresh = first.filter((_, j) => known[j] === undefined);
      const taken = await Promise.all(fresh.map((i) => req(os.getKey(K.row(id, checked[i]!.seq)))));
      // A seq is unique per instance: one reused for a new taskId is the caller's error.
      const seqs = new Set<number>();
      for (let j = 0; j < fresh.length; j++) {
        const i = fresh[j]!;
        const seq = checked[i]!.seq;
        if (taken[j] !== undefined || seqs.has(seq)) throw new ValidationError(`tasks[${i}].seq`, "a seq no other task holds", seq);
        seqs.add(seq);
      }
      const counts = new Counts(id);
      for (const i of fresh) {
        const t = checked[i]!;
        const row: Row = { t: t.taskId, p: t.parentId, n: t.name, b: t.body, s: INIT, a: 0, w: null, r: NULL_TEXT, q: t.queued };
        os.put(row, K.row(id, t.seq));
        os.put(t.seq, K.tid(id, t.taskId));
        if (!t.queued) os.put(1, K.unq(id, t.seq));
        counts.add(t.name, INIT, 1);
        stored[i] = 1;
      }
      await counts.write(os);
      return stored;
    });
  }

  async updateStatuses(fence: Fence, updates: readonly StatusUpdate[]): Promise<void> {
    return this.#tx("readwrite", async (os) => {
      await this.#own(os, fence);
      const bySeq = new Map<number, CheckedUpdate[]>();
      for (let i = 0; i < updates.length; i++) {
        const u = checkedUpdate(i, updates[i]!);
        const list = bySeq.get(u.seq);
        if (list) list.push(u);
        else bySeq.set(u.seq, [u]);
      }
      await this.#rewrite(os, fence.instanceId, [...bySeq.keys()], (row, seq) => {
        let next = row;
        for (const u of bySeq.get(seq)!) {
          next = { ...next, s: u.status, a: u.attempt, w: u.worker, r: u.result ?? next.r };
        }
        return next;
      });
    });
  }

  async setStatus(fence: Fence, seqs: readonly number[], status: TaskStatusCode, worker: string | null): Promise<void> {
    return this.#tx("readwrite", async (os) => {
      await this.#own(os, fence);
      checkStatus("status", status);
      checkWorker("worker", worker);
      checkSeqs(seqs);
      await this.#rewrite(os, fence.instanceId, seqs, (row) => ({ ...row, s: status, w: worker }));
    });
  }

  async resetWorkerTasks(
    fence: Fence, worker: string, to: { status: 1; queued: boolean } | { status: 5; result: JsonValue },
  ): Promise<number> {
    return this.#tx("readwrite", async (os) => {
      await this.#own(os, fence);
      expectString("worker", worker, false);
      const target = checkReset(to);
      const id = fence.instanceId;
      const keys = await req(os.getAllKeys(prefixRange(["w", id, worker])));
      return this.#rewrite(os, id, keys.map((k) => lastPart<number>(k)), (row) => {
        if (inFlightAt(row) !== worker) return null;
        return target.status === INIT
          ? { ...row, s: INIT, a: row.a + 1, w: null, q: target.queued }
          : { ...row, s: FAILED, r: target.result };
      });
    });
  }

  async failUnfinished(fence: Fence, result: JsonValue): Promise<number> {
    return this.#tx("readwrite", async (os) => {
      await this.#own(os, fence);
      const text = encodeJson("result", result);
      return this.#scan(os, fence.instanceId, (row) =>
        (row.s === INIT || row.s === PULLED || row.s === RUNNING ? { ...row, s: FAILED, r: text } : null));
    });
  }

  async resetForResume(fence: Fence, failover: boolean, result: JsonValue): Promise<void> {
    return this.#tx("readwrite", async (os) => {
      await this.#own(os, fence);
      expectBoolean("failover", failover);
      const text = encodeJson("result", result);
      await this.#scan(os, fence.instanceId, (row) => {
        if (row.s === PULLED || row.s === RUNNING) {
          return failover ? { ...row, s: INIT, a: row.a + 1, w: null, q: false } : { ...row, s: FAILED, r: text };
        }
        return row.s === INIT && row.q ? { ...row, q: false } : null;
      });
    });
  }

  async claimInit(fence: Fence, limit: number): Promise<TaskRow[]> {
    return this.#tx("readwrite", async (os) => {
      await this.#own(os, fence);
      expectInt("limit", limit, 0);
      const id = fence.instanceId;
      const out: TaskRow[] = [];
      const counts = new Counts(id);
      while (out.length < limit) {
        // A count of 0 means "all" to IndexedDB: `want` is at least 1 here.
        const want = Math.min(limit - out.length, MAX_COUNT);
        const keys = await req(os.getAllKeys(prefixRange(["u", id]), want));
        if (keys.length === 0) break;
        const seqs = keys.map((k) => lastPart<number>(k));
        const rows = await Promise.all(seqs.map((seq) => req(os.get(K.row(id, seq))) as Promise<Row | undefined>));
        for (let i = 0; i < seqs.length; i++) {
          const row = rows[i];
          if (row === undefined || !claimable(row)) {
            os.delete(K.unq(id, seqs[i]!)); // a stray entry: never left behind by these writes
            continue;
          }
          this.#write(os, id, seqs[i]!, row, { ...row, q: true }, counts);
          out.push(taskRow(seqs[i]!, row));
        }
        if (keys.length < want) break;
      }
      await counts.write(os);
      return out;
    });
  }

  async countByStatus(instanceId: string): Promise<StatusCount[]> {
    if (typeof instanceId !== "string") return [];
    return this.#tx("readonly", async (os) => {
      const range = prefixRange(["c", instanceId]);
      const [keys, counts] = await Promise.all([req(os.getAllKeys(range)), req(os.getAll(range)) as Promise<number[]>]);
      const out: StatusCount[] = [];
      for (let i = 0; i < keys.length; i++) {
        const parts = keys[i] as [string, string, string, TaskStatusCode];
        if (counts[i]! > 0) out.push({ name: parts[2], status: parts[3], count: counts[i]! });
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.status - b.status));
    });
  }

  async maxSeq(instanceId: string): Promise<number> {
    if (typeof instanceId !== "string") return -1;
    return this.#tx("readonly", async (os) => {
      const [last] = await descending(os, numbersFrom(["t", instanceId], -Infinity), 1);
      return last === undefined ? -1 : lastPart<number>(last[0]);
    });
  }

  async getTask(instanceId: string, taskId: string): Promise<TaskRow | null> {
    if (typeof instanceId !== "string" || typeof taskId !== "string") return null;
    return this.#tx("readonly", async (os) => {
      const seq = await req(os.get(K.tid(instanceId, taskId))) as number | undefined;
      if (seq === undefined) return null;
      const row = await req(os.get(K.row(instanceId, seq))) as Row | undefined;
      return row === undefined ? null : taskRow(seq, row);
    });
  }

  /** @param pageSize rows read at a time (one transaction each). @default 1000 */
  results(instanceId: string, pageSize: number = DEFAULT_PAGE_SIZE): AsyncIterable<ResultRow> {
    expectInt("pageSize", pageSize, 1);
    return this.#pages(instanceId, pageSize);
  }

  async clearTasks(fence: Fence): Promise<void> {
    return this.#tx("readwrite", async (os) => {
      await this.#own(os, fence);
      for (const kind of ["t", "i", "u", "w", "c"]) os.delete(prefixRange([kind, fence.instanceId]));
    });
  }

  /** Waits for queued calls, then closes the connection; later calls reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
    this.#db?.close();
    this.#db = null;
  }

  // ------------------------------------------------------------------ helpers

  /** Runs `fn` after every earlier call of this store has settled. */
  #run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#tail.then(async () => {
      if (this.#closed) throw new Error("IdbStore: the store is closed");
      if (this.#db === null) {
        const db = await this.#use("readonly", (os) => os.transaction.db);
        // Another connection wants to delete or upgrade the database: let it.
        db.onversionchange = () => db.close();
        this.#db = db;
      }
      return fn();
    });
    this.#tail = p.catch(() => undefined);
    return p;
  }

  /** One transaction, queued: a throw inside aborts it, so none of its writes land. */
  #tx<T>(mode: IDBTransactionMode, fn: (os: IDBObjectStore) => Promise<T>): Promise<T> {
    return this.#run(() => this.#use(mode, async (os) => {
      const tx = os.transaction;
      let out: T;
      try {
        out = await fn(os);
      } catch (e) {
        try {
          tx.abort();
        } catch {
          // already finished
        }
        throw e;
      }
      if (mode === "readwrite") await req(tx);
      return out;
    }));
  }

  async #fenceOf(os: IDBObjectStore, instanceId: string): Promise<FenceValue | undefined> {
    if (typeof instanceId !== "string") return undefined;
    return await req(os.get(K.fence(instanceId))) as FenceValue | undefined;
  }

  /** Refuses the write unless `fence` is the instance's current token. */
  async #own(os: IDBObjectStore, fence: Fence): Promise<void> {
    const f = await this.#fenceOf(os, fence.instanceId);
    if (f === undefined) throw new UnknownInstanceError(fence.instanceId);
    if (f.token !== fence.token) throw new FencedError(fence.instanceId, fence.token, f.token);
  }

  /** Writes row `seq` moving from `old` to `next`, its indexes and counters with it. */
  #write(os: IDBObjectStore, id: string, seq: number, old: Row, next: Row, counts: Counts): void {
    os.put(next, K.row(id, seq));
    if (claimable(old) !== claimable(next)) {
      if (claimable(next)) os.put(1, K.unq(id, seq));
      else os.delete(K.unq(id, seq));
    }
    const was = inFlightAt(old);
    const now = inFlightAt(next);
    if (was !== now) {
      if (was !== null) os.delete(K.wk(id, was, seq));
      if (now !== null) os.put(1, K.wk(id, now, seq));
    }
    if (old.s !== next.s) {
      counts.add(old.n, old.s, -1);
      counts.add(next.n, next.s, 1);
    }
  }

  /** Applies `change` to the rows at `seqs` (unknown seqs are skipped); returns how many changed. */
  async #rewrite(os: IDBObjectStore, id: string, seqs: readonly number[], change: (row: Row, seq: number) => Change): Promise<number> {
    const unique = [...new Set(seqs)];
    const rows = await Promise.all(unique.map((seq) => req(os.get(K.row(id, seq))) as Promise<Row | undefined>));
    const counts = new Counts(id);
    let changed = 0;
    for (let i = 0; i < unique.length; i++) {
      const row = rows[i];
      const next = row === undefined ? null : change(row, unique[i]!);
      if (next === null) continue;
      this.#write(os, id, unique[i]!, row!, next, counts);
      changed++;
    }
    await counts.write(os);
    return changed;
  }

  /** Applies `change` to every row of the instance, page by page; returns how many changed. */
  async #scan(os: IDBObjectStore, id: string, change: (row: Row) => Change): Promise<number> {
    const counts = new Counts(id);
    let changed = 0;
    let from = -Infinity;
    for (;;) {
      const range = numbersFrom(["t", id], from);
      const [keys, rows] = await Promise.all([req(os.getAllKeys(range, SCAN_PAGE)), req(os.getAll(range, SCAN_PAGE)) as Promise<Row[]>]);
      for (let i = 0; i < keys.length; i++) {
        const next = change(rows[i]!);
        if (next === null) continue;
        this.#write(os, id, lastPart<number>(keys[i]!), rows[i]!, next, counts);
        changed++;
      }
      if (keys.length < SCAN_PAGE) break;
      from = lastPart<number>(keys[keys.length - 1]!) + 1;
    }
    await counts.write(os);
    return changed;
  }

  /** Reads page after page by seq, each page one transaction, so rows changed meanwhile never repeat or shift a page. */
  async *#pages(instanceId: string, pageSize: number): AsyncGenerator<ResultRow> {
    if (typeof instanceId !== "string") return;
    let from = -Infinity;
    for (;;) {
      const page = await this.#tx("readonly", async (os) => {
        const range = numbersFrom(["t", instanceId], from);
        const count = Math.min(pageSize, MAX_COUNT);
        const [keys, rows] = await Promise.all([req(os.getAllKeys(range, count)), req(os.getAll(range, count)) as Promise<Row[]>]);
        return { last: keys.length === 0 ? -1 : lastPart<number>(keys[keys.length - 1]!), rows };
      });
      if (page.rows.length === 0) return;
      from = page.last + 1;
      yield* page.rows.map((r): ResultRow => ({ taskId: r.t, name: r.n, status: r.s, result: decodeJson(r.r) }));
      if (page.rows.length < Math.min(pageSize, MAX_COUNT)) return;
    }
  }
}

function taskRow(seq: number, row: Row): TaskRow {
  return {
    seq, taskId: row.t, parentId: row.p, name: row.n, body: decodeJson(row.b),
    status: row.s, attempt: row.a, worker: row.w, result: decodeJson(row.r),
  };
}

function record(id: string, f: FenceValue, v: InstValue): InstanceRecord {
  return {
    instanceId: id, processor: v.processor, settings: decodeJson(v.settings), params: decodeJson(v.params), status: v.status,
    result: decodeJson(v.result), serialNum: v.serialNum, owner: f.owner, fence: f.token, leaseUntil: f.until ?? null, createdAt: v.createdAt,
    finishedAt: v.finishedAt, progress: decodeJson(v.progress) as InstanceRecord["progress"],
  };
}
