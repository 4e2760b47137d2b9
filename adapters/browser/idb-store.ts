/**
 * A TaskStore in IndexedDB through idb-keyval: one object store, array keys
 * in the scheme the key-value stores share (src/store/kv-keys.ts; the
 * instance id names the task space), rows as src/store/kv-rows.ts lays them
 * out; the fence entry ["fence", id] is { owner, token, until }, until being
 * when the owner's lease runs out (null or absent: none).
 *
 * Every method is one IndexedDB transaction that reads the fence entry and
 * writes in the same transaction, so the fencing check and the writes are
 * atomic even against another tab; a throw aborts it, so nothing of a
 * refused call lands. Calls on one IdbStore also run one after another
 * (a JS-level queue), in the order they were made. This file opens, queues
 * and closes; each method's transaction is in the file named after it:
 * idb-instances.ts (records, leases and sweepRetained), idb-insert.ts,
 * idb-updates.ts (updateStatuses), idb-resets.ts
 * (failUnfinished, resetForResume, retryFailed),
 * idb-claim.ts, idb-reads.ts (counts, maxSeq, getTask, listTasks, results),
 * idb-clear.ts, idb-dispatches.ts (dispatch records, B27).
 *
 * Web-standard only: runs in a browser page or worker (and under Node with
 * fake-indexeddb in tests).
 */
import { pickPage } from "../../src/store/instance-page.ts";
import { createStore, type UseStore } from "idb-keyval";
import { expectInt } from "../../src/errors/validate.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import type { JsonValue } from "../../src/protocol/messages.ts";
import {
  checkExpiredQuery, checkFences, checkLease, checkListFilter, checkNewInstance, checkSweep, checkTaskQuery, expectString, requireLease,
} from "../../src/store/input.ts";
import type {
  DispatchRecord, Fence, InstancePatch, InstanceRecord, LeaseTerms, NewInstance, NewTask, ResultRow, StatusCount,
  StatusUpdate, StoredDispatch, TaskQuery, TaskRow, TaskStore, InstanceFilter,
} from "../../src/store/task-store.ts";
import { checkDispatchPage, packDispatch, packDispatches } from "../../src/store/dispatch-records.ts";
import { listDispatches, recordDispatch, replaceDispatches } from "./idb-dispatches.ts";
import { claimInit } from "./idb-claim.ts";
import { clearTasks } from "./idb-clear.ts";
import { insertTasks } from "./idb-insert.ts";
import {
  acquireInstance, createInstance, expiredInstances, listInstances, readInstance, renewLeases, sweepRetained, updateInstance,
} from "./idb-instances.ts";
import { countByStatus, getTask, listTasks, maxSeq, resultsPage } from "./idb-reads.ts";
import { failUnfinished, resetForResume, retryFailed } from "./idb-resets.ts";
import { req } from "./idb-requests.ts";
import { MAX_COUNT } from "./idb-rows.ts";
import { updateStatuses } from "./idb-updates.ts";
import { pageRows } from "../../src/store/page-rows.ts";

/** Rows `results` reads at a time unless told. */
const DEFAULT_PAGE_SIZE = 1000;

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

  async createInstance(instance: NewInstance, owner: string, lease?: LeaseTerms): Promise<Fence> {
    const c = checkNewInstance(instance, owner);
    const terms = checkLease(lease);
    return this.#tx("readwrite", (os) => createInstance(os, c, terms));
  }

  async acquireInstance(instanceId: string, owner: string, lease?: LeaseTerms): Promise<Fence> {
    expectString("owner", owner);
    const terms = checkLease(lease);
    return this.#tx("readwrite", (os) => acquireInstance(os, instanceId, owner, terms));
  }

  async renewLeases(owner: string, fences: readonly Fence[], lease: LeaseTerms): Promise<string[]> {
    expectString("owner", owner);
    const checked = checkFences(fences);
    const terms = requireLease(lease);
    return this.#tx("readwrite", (os) => renewLeases(os, owner, checked, terms));
  }

  async expiredInstances(now: number, limit?: number): Promise<InstanceRecord[]> {
    const q = checkExpiredQuery(now, limit);
    return this.#tx("readonly", (os) => expiredInstances(os, q.now, q.limit));
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | null> {
    if (typeof instanceId !== "string") return null;
    return this.#run(() => readInstance(this.#use, instanceId));
  }

  async listInstances(filter: InstanceFilter = {}): Promise<InstanceRecord[]> {
    const { status, processor, before, limit = Infinity } = checkListFilter(filter);
    // A3: processor and before are picked from the status's listing (not yet in the key ranges).
    if (processor !== undefined || before !== undefined) {
      const listed = await this.#tx("readonly", (os) => listInstances(os, before === undefined ? status : undefined, Infinity));
      return pickPage(listed, { status, processor, before, limit });
    }
    return this.#tx("readonly", (os) => listInstances(os, status, limit));
  }

  async updateInstance(fence: Fence, patch: InstancePatch): Promise<void> {
    return this.#tx("readwrite", (os) => updateInstance(os, fence, patch));
  }

  async insertTasks(fence: Fence, tasks: readonly NewTask[]): Promise<Uint8Array> {
    return this.#tx("readwrite", (os) => insertTasks(os, fence, tasks));
  }

  async updateStatuses(fence: Fence, updates: readonly StatusUpdate[]): Promise<void> {
    return this.#tx("readwrite", (os) => updateStatuses(os, fence, updates));
  }

  async failUnfinished(fence: Fence, result: JsonValue): Promise<number> {
    return this.#tx("readwrite", (os) => failUnfinished(os, fence, result));
  }

  async resetForResume(fence: Fence, failover: boolean, result: JsonValue): Promise<void> {
    return this.#tx("readwrite", (os) => resetForResume(os, fence, failover, result));
  }

  async retryFailed(fence: Fence): Promise<number> {
    return this.#tx("readwrite", (os) => retryFailed(os, fence));
  }

  async claimInit(fence: Fence, limit: number): Promise<TaskRow[]> {
    return this.#tx("readwrite", (os) => claimInit(os, fence, limit));
  }

  async countByStatus(instanceId: string): Promise<StatusCount[]> {
    if (typeof instanceId !== "string") return [];
    return this.#tx("readonly", (os) => countByStatus(os, instanceId));
  }

  async maxSeq(instanceId: string): Promise<number> {
    if (typeof instanceId !== "string") return -1;
    return this.#tx("readonly", (os) => maxSeq(os, instanceId));
  }

  async getTask(instanceId: string, taskId: string): Promise<TaskRow | null> {
    if (typeof instanceId !== "string" || typeof taskId !== "string") return null;
    return this.#tx("readonly", (os) => getTask(os, instanceId, taskId));
  }

  async listTasks(instanceId: string, q: TaskQuery): Promise<TaskRow[]> {
    const query = checkTaskQuery(q);
    if (typeof instanceId !== "string") return [];
    return this.#tx("readonly", (os) => listTasks(os, instanceId, query));
  }

  /** @param pageSize rows read at a time (one transaction each). @default 1000 */
  results(instanceId: string, pageSize: number = DEFAULT_PAGE_SIZE): AsyncIterable<ResultRow> {
    expectInt("pageSize", pageSize, 1);
    return pageRows(this.#pages(instanceId, pageSize));
  }

  async recordDispatch(fence: Fence, record: DispatchRecord): Promise<void> {
    const p = packDispatch(record);
    if (p === null) return;
    return this.#tx("readwrite", (os) => recordDispatch(os, fence, p));
  }

  async listDispatches(instanceId: string, afterId: number, limit: number): Promise<StoredDispatch[]> {
    const q = checkDispatchPage(afterId, limit);
    if (typeof instanceId !== "string") return [];
    return this.#tx("readonly", (os) => listDispatches(os, instanceId, q.afterId, q.limit));
  }

  async replaceDispatches(fence: Fence, records: readonly DispatchRecord[]): Promise<void> {
    const packed = packDispatches(records);
    return this.#tx("readwrite", (os) => replaceDispatches(os, fence, packed));
  }

  async clearTasks(fence: Fence): Promise<void> {
    return this.#tx("readwrite", (os) => clearTasks(os, fence));
  }

  async sweepRetained(now: number, limit?: number): Promise<number> {
    const q = checkSweep(now, limit);
    return this.#tx("readwrite", (os) => sweepRetained(os, q.now, q.limit));
  }

  /** Waits for queued calls, then closes the connection; later calls reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
    this.#db?.close();
    this.#db = null;
  }

  /** Reads page after page by seq, each page one transaction, so rows changed meanwhile never repeat or shift a page. */
  async *#pages(instanceId: string, pageSize: number): AsyncGenerator<ResultRow[]> {
    if (typeof instanceId !== "string") return;
    let from = -Infinity;
    for (;;) {
      const page = await this.#tx("readonly", (os) => resultsPage(os, instanceId, from, pageSize));
      if (page.rows.length === 0) return;
      from = page.last + 1;
      yield page.rows;
      if (page.rows.length < Math.min(pageSize, MAX_COUNT)) return;
    }
  }

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
}
