/**
 * A TaskStore in Deno KV (`Deno.openKv`; needs `--unstable-kv`). Keys:
 * kv-keys.ts; rows: src/store/kv-rows.ts; fencing and the task clock:
 * kv-session.ts; limits of one atomic: kv-atomic.ts; values over 64 KiB:
 * kv-values.ts. This file opens and closes; each method is in the file named
 * after it: kv-instances.ts (records and leases), kv-insert.ts,
 * kv-updates.ts (updateStatuses), kv-resets.ts
 * (failUnfinished, resetForResume, retryFailed), kv-claim.ts,
 * kv-reads.ts (counts, maxSeq, getTask, listTasks, results), kv-clear.ts,
 * kv-sweep.ts (sweepRetained), kv-dispatches.ts (dispatch records, B27).
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
 */
import { pickPage } from "../../src/store/instance-page.ts";
import { expectInt } from "../../src/errors/validate.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import type { JsonValue } from "../../src/protocol/messages.ts";
import {
  checkExpiredQuery, checkFences, checkLease, checkListFilter, checkNewInstance, checkSweep, checkTaskQuery, expectString, requireLease,
} from "../../src/store/input.ts";
import type {
  DispatchRecord, Fence, InstancePatch, InstanceRecord, InstanceStatus, LeaseTerms, NewInstance, NewTask, ResultRow, StatusCount,
  StatusUpdate, StoredDispatch, TaskQuery, TaskRow, TaskStore, InstanceFilter,
} from "../../src/store/task-store.ts";
import { checkDispatchPage, packDispatch, packDispatches } from "../../src/store/dispatch-records.ts";
import { listDispatches, recordDispatch, replaceDispatches } from "./kv-dispatches.ts";
import { claimInit } from "./kv-claim.ts";
import { clearTasks } from "./kv-clear.ts";
import { insertTasks } from "./kv-insert.ts";
import {
  acquireInstance, createInstance, expiredInstances, getInstance, listInstances, renewLeases, updateInstance,
} from "./kv-instances.ts";
import { DenoKvKeys } from "./kv-keys.ts";
import { countByStatus, getTask, listTasks, maxSeq, resultPages } from "./kv-reads.ts";
import { failUnfinished, resetForResume, retryFailed } from "./kv-resets.ts";
import { checkId, type KvContext } from "./kv-session.ts";
import { sweepRetained } from "./kv-sweep.ts";
import { updateStatuses } from "./kv-updates.ts";
import { pageRows } from "../../src/store/page-rows.ts";

/** Rows `results` reads at a time unless told. */
const DEFAULT_PAGE_SIZE = 1000;

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
  readonly #cx: KvContext;
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
    this.#cx = { kv, k: new DenoKvKeys(prefix) };
    this.#owned = owned;
  }

  async createInstance(instance: NewInstance, owner: string, lease?: LeaseTerms): Promise<Fence> {
    const c = checkNewInstance(instance, owner);
    const terms = checkLease(lease);
    checkId("instanceId", c.instanceId);
    checkId("processor", c.processor);
    checkId("owner", c.owner);
    return createInstance(this.#cx, c, terms);
  }

  async acquireInstance(instanceId: string, owner: string, lease?: LeaseTerms): Promise<Fence> {
    checkId("owner", expectString("owner", owner));
    return acquireInstance(this.#cx, instanceId, owner, checkLease(lease));
  }

  async renewLeases(owner: string, fences: readonly Fence[], lease: LeaseTerms): Promise<string[]> {
    expectString("owner", owner);
    const checked = checkFences(fences);
    return renewLeases(this.#cx, owner, checked, requireLease(lease));
  }

  async expiredInstances(now: number, limit?: number): Promise<InstanceRecord[]> {
    const q = checkExpiredQuery(now, limit);
    return expiredInstances(this.#cx, q.now, q.limit);
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | null> {
    return getInstance(this.#cx, instanceId);
  }

  async listInstances(filter: InstanceFilter = {}): Promise<InstanceRecord[]> {
    const { status, processor, before, limit } = checkListFilter(filter);
    // A3: processor and before are picked from the status's listing (not yet in the key ranges).
    if (processor !== undefined || before !== undefined) {
      return pickPage(await listInstances(this.#cx, before === undefined ? status : undefined, undefined), { status, processor, before, limit });
    }
    return listInstances(this.#cx, status, limit);
  }

  async updateInstance(fence: Fence, patch: InstancePatch): Promise<void> {
    return updateInstance(this.#cx, fence, patch);
  }

  async insertTasks(fence: Fence, tasks: readonly NewTask[]): Promise<Uint8Array> {
    return insertTasks(this.#cx, fence, tasks);
  }

  async updateStatuses(fence: Fence, updates: readonly StatusUpdate[]): Promise<void> {
    return updateStatuses(this.#cx, fence, updates);
  }

  async failUnfinished(fence: Fence, result: JsonValue): Promise<number> {
    return failUnfinished(this.#cx, fence, result);
  }

  async resetForResume(fence: Fence, failover: boolean, result: JsonValue): Promise<void> {
    return resetForResume(this.#cx, fence, failover, result);
  }

  async retryFailed(fence: Fence): Promise<number> {
    return retryFailed(this.#cx, fence);
  }

  async claimInit(fence: Fence, limit: number): Promise<TaskRow[]> {
    return claimInit(this.#cx, fence, limit);
  }

  async countByStatus(instanceId: string): Promise<StatusCount[]> {
    return countByStatus(this.#cx, instanceId);
  }

  async maxSeq(instanceId: string): Promise<number> {
    return maxSeq(this.#cx, instanceId);
  }

  async getTask(instanceId: string, taskId: string): Promise<TaskRow | null> {
    return getTask(this.#cx, instanceId, taskId);
  }

  async listTasks(instanceId: string, q: TaskQuery): Promise<TaskRow[]> {
    return listTasks(this.#cx, instanceId, checkTaskQuery(q));
  }

  /** @param pageSize rows read at a time. @default 1000 */
  results(instanceId: string, pageSize: number = DEFAULT_PAGE_SIZE): AsyncIterable<ResultRow> {
    expectInt("pageSize", pageSize, 1);
    return pageRows(resultPages(this.#cx, instanceId, pageSize));
  }

  async recordDispatch(fence: Fence, record: DispatchRecord): Promise<void> {
    const p = packDispatch(record);
    if (p !== null) await recordDispatch(this.#cx, fence, p);
  }

  async listDispatches(instanceId: string, afterId: number, limit: number): Promise<StoredDispatch[]> {
    const q = checkDispatchPage(afterId, limit);
    return listDispatches(this.#cx, instanceId, q.afterId, q.limit);
  }

  async replaceDispatches(fence: Fence, records: readonly DispatchRecord[]): Promise<void> {
    return replaceDispatches(this.#cx, fence, packDispatches(records));
  }

  async clearTasks(fence: Fence): Promise<void> {
    return clearTasks(this.#cx, fence);
  }

  async sweepRetained(now: number, limit?: number): Promise<number> {
    const q = checkSweep(now, limit);
    return sweepRetained(this.#cx, q.now, q.limit);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) this.#cx.kv.close();
  }
}
