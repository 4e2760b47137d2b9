/**
 * The in-memory TaskStore: nothing survives the process, everything else
 * behaves as a durable backend does. JSON values are kept as JSON text, so a
 * caller can never reach stored state through an object it handed in or got
 * back, and values come out exactly as a serializing backend returns them.
 *
 * Every method runs synchronously to completion inside its promise, so each
 * call is one atomic step (the "one transaction" of the interface). This file
 * keeps instances, leases and fencing; an instance's tasks and the task
 * methods over them are MemoryTaskRows (memory-task-rows.ts).
 */
import { pickPage } from "./instance-page.ts";
import { expectInt } from "../errors/validate.ts";
import type { JsonValue } from "../protocol/messages.ts";
import { DuplicateInstanceError, FencedError, LeaseHeldError, UnknownInstanceError } from "./errors.ts";
import {
  checkExpiredQuery, checkFences, checkLease, checkListFilter, checkNewInstance, checkPatch,
  checkSweep, checkTaskQuery, checkUpdate, checkUpdateFailure, decodeJson, encodeJson, expectBoolean, expectString, NULL_TEXT,
  requireLease, type UpdateFailure,
} from "./input.ts";
import { MemoryTaskRows, memoryTaskRow } from "./memory-task-rows.ts";
import { MemoryDispatches } from "./memory-dispatches.ts";
import { checkDispatchPage, packDispatch, packDispatches } from "./dispatch-records.ts";
import type {
  DispatchRecord, Fence, InstancePatch, InstanceRecord, InstanceStatus, LeaseTerms, NewInstance, NewTask, ResultRow, StatusCount,
  StatusUpdate, StoredDispatch, TaskErrorSummary, TaskQuery, TaskRow, TaskStore, InstanceFilter,
} from "./task-store.ts";
import { pageRows } from "./page-rows.ts";

/** Rows `results` reads at a time unless told. */
const DEFAULT_PAGE_SIZE = 1000;

/** One stored instance; JSON fields hold JSON text. */
interface Instance {
  readonly instanceId: string;
  readonly processor: string;
  readonly settings: string;
  readonly params: string;
  readonly createdAt: number;
  /** Creation order, the tie-break of `listInstances`. */
  readonly order: number;
  status: InstanceStatus;
  result: string;
  serialNum: number;
  owner: string;
  fence: number;
  /** When the owner's lease runs out; null: no lease. */
  leaseUntil: number | null;
  finishedAt: number | null;
  progress: string;
  failedCount: number;
  /** The summaries as JSON text. */
  errors: string;
  startedAt: number | null;
  retainUntil: number | null;
  readonly tasks: MemoryTaskRows;
  /** Its dispatch records (B27). */
  readonly dispatches: MemoryDispatches;
}

function record(inst: Instance): InstanceRecord {
  return {
    instanceId: inst.instanceId,
    processor: inst.processor,
    settings: decodeJson(inst.settings),
    params: decodeJson(inst.params),
    status: inst.status,
    result: decodeJson(inst.result),
    serialNum: inst.serialNum,
    owner: inst.owner,
    fence: inst.fence,
    leaseUntil: inst.leaseUntil,
    createdAt: inst.createdAt,
    finishedAt: inst.finishedAt,
    progress: decodeJson(inst.progress) as InstanceRecord["progress"],
    failedCount: inst.failedCount,
    errors: JSON.parse(inst.errors) as TaskErrorSummary[],
    startedAt: inst.startedAt,
    retainUntil: inst.retainUntil,
  };
}

/**
 * A TaskStore in this process's memory: for tests, demos and benchmarks.
 * @example const store = new MemoryStore();
 */
export class MemoryStore implements TaskStore {
  readonly kind = "memory";
  /** instanceId → instance; Map order is creation order. */
  readonly #instances = new Map<string, Instance>();
  #created = 0;

  async createInstance(instance: NewInstance, owner: string, lease?: LeaseTerms): Promise<Fence> {
    const c = checkNewInstance(instance, owner);
    const terms = checkLease(lease);
    const instanceId = c.instanceId;
    if (this.#instances.has(instanceId)) throw new DuplicateInstanceError(instanceId);
    const inst: Instance = {
      instanceId,
      processor: c.processor,
      settings: c.settings,
      params: c.params,
      createdAt: c.createdAt,
      order: this.#created,
      status: "RUNNING",
      result: NULL_TEXT,
      serialNum: c.serialNum,
      owner: c.owner,
      fence: 1,
      leaseUntil: terms?.until ?? null,
      finishedAt: null,
      progress: NULL_TEXT,
      failedCount: 0,
      errors: "[]",
      startedAt: c.startedAt,
      retainUntil: null,
      tasks: new MemoryTaskRows(),
      dispatches: new MemoryDispatches(),
    };
    this.#created++;
    this.#instances.set(instanceId, inst);
    return { instanceId, token: inst.fence };
  }

  async acquireInstance(instanceId: string, owner: string, lease?: LeaseTerms): Promise<Fence> {
    expectString("owner", owner);
    const terms = checkLease(lease);
    const inst = this.#instances.get(instanceId);
    if (!inst) throw new UnknownInstanceError(instanceId);
    if (terms !== null && inst.leaseUntil !== null && inst.leaseUntil > terms.now && inst.owner !== owner) {
      throw new LeaseHeldError(instanceId, inst.owner, inst.leaseUntil);
    }
    inst.owner = owner;
    inst.fence++;
    inst.leaseUntil = terms?.until ?? null;
    return { instanceId, token: inst.fence };
  }

  async renewLeases(owner: string, fences: readonly Fence[], lease: LeaseTerms): Promise<string[]> {
    expectString("owner", owner);
    const checked = checkFences(fences);
    const terms = requireLease(lease);
    const renewed: string[] = [];
    for (const f of checked) {
      const inst = this.#instances.get(f.instanceId);
      if (!inst || inst.owner !== owner || inst.fence !== f.token) continue;
      inst.leaseUntil = terms.until;
      renewed.push(f.instanceId);
    }
    return renewed;
  }

  async expiredInstances(now: number, limit?: number): Promise<InstanceRecord[]> {
    const q = checkExpiredQuery(now, limit);
    const out: InstanceRecord[] = [];
    // Map order is creation order; createdAt may disagree with it, so sort after picking.
    const picked = [...this.#instances.values()].filter((i) => i.status === "RUNNING" && (i.leaseUntil === null || i.leaseUntil <= q.now));
    picked.sort((a, b) => a.createdAt - b.createdAt || a.order - b.order);
    for (const inst of picked.slice(0, q.limit ?? Infinity)) out.push(record(inst));
    return out;
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | null> {
    const inst = this.#instances.get(instanceId);
    return inst ? record(inst) : null;
  }

  async listInstances(filter: InstanceFilter = {}): Promise<InstanceRecord[]> {
    const { status, processor, before, limit = Infinity } = checkListFilter(filter);
    const picked: Instance[] = [];
    // With `before`, every status: the instance it names may have changed status since (A3).
    const only = before === undefined ? status : undefined;
    for (const inst of this.#instances.values()) if (only === undefined || inst.status === only) picked.push(inst);
    picked.sort((a, b) => b.createdAt - a.createdAt || b.order - a.order);
    if (processor !== undefined || before !== undefined) return pickPage(picked.map(record), { status, processor, before, limit });
    return picked.slice(0, limit).map(record);
  }

  async updateInstance(fence: Fence, patch: InstancePatch): Promise<void> {
    const inst = this.#own(fence);
    const p = checkPatch(patch);
    if (p.status !== undefined) inst.status = p.status;
    if (p.result !== undefined) inst.result = p.result;
    if (p.serialNum !== undefined) inst.serialNum = p.serialNum;
    if (p.finishedAt !== undefined) inst.finishedAt = p.finishedAt;
    if (p.progress !== undefined) inst.progress = p.progress;
    if (p.failedCount !== undefined) inst.failedCount = p.failedCount;
    if (p.errors !== undefined) inst.errors = p.errors;
    if (p.startedAt !== undefined) inst.startedAt = p.startedAt;
    if (p.retainUntil !== undefined) inst.retainUntil = p.retainUntil;
  }

  async insertTasks(fence: Fence, tasks: readonly NewTask[]): Promise<Uint8Array> {
    return this.#own(fence).tasks.insert(tasks);
  }

  async updateStatuses(fence: Fence, updates: readonly StatusUpdate[]): Promise<void> {
    const rows = this.#own(fence).tasks;
    const results: (string | undefined)[] = new Array(updates.length);
    const failures: (UpdateFailure | undefined)[] = new Array(updates.length);
    for (let i = 0; i < updates.length; i++) {
      results[i] = checkUpdate(i, updates[i]!);
      failures[i] = checkUpdateFailure(i, updates[i]!);
    }
    rows.update(updates, results, failures);
  }

  async failUnfinished(fence: Fence, result: JsonValue): Promise<number> {
    const rows = this.#own(fence).tasks;
    return rows.failUnfinished(encodeJson("result", result));
  }

  async resetForResume(fence: Fence, failover: boolean, result: JsonValue): Promise<void> {
    const rows = this.#own(fence).tasks;
    expectBoolean("failover", failover);
    rows.resetForResume(failover, encodeJson("result", result));
  }

  async retryFailed(fence: Fence): Promise<number> {
    return this.#own(fence).tasks.retryFailed();
  }

  async claimInit(fence: Fence, limit: number): Promise<TaskRow[]> {
    const rows = this.#own(fence).tasks;
    expectInt("limit", limit, 0);
    return rows.claim(limit).map(memoryTaskRow);
  }

  async countByStatus(instanceId: string): Promise<StatusCount[]> {
    return this.#instances.get(instanceId)?.tasks.countByStatus() ?? [];
  }

  async maxSeq(instanceId: string): Promise<number> {
    return this.#instances.get(instanceId)?.tasks.maxSeq() ?? -1;
  }

  async getTask(instanceId: string, taskId: string): Promise<TaskRow | null> {
    const row = this.#instances.get(instanceId)?.tasks.byTaskId(taskId);
    return row ? memoryTaskRow(row) : null;
  }

  async listTasks(instanceId: string, q: TaskQuery): Promise<TaskRow[]> {
    const query = checkTaskQuery(q);
    return this.#instances.get(instanceId)?.tasks.list(query) ?? [];
  }

  /** @param pageSize rows read at a time. @default 1000 */
  results(instanceId: string, pageSize: number = DEFAULT_PAGE_SIZE): AsyncIterable<ResultRow> {
    expectInt("pageSize", pageSize, 1);
    return pageRows(this.#pages(instanceId, pageSize));
  }

  async recordDispatch(fence: Fence, record: DispatchRecord): Promise<void> {
    const inst = this.#own(fence);
    const p = packDispatch(record);
    if (p !== null) inst.dispatches.add(p);
  }

  async listDispatches(instanceId: string, afterId: number, limit: number): Promise<StoredDispatch[]> {
    const q = checkDispatchPage(afterId, limit);
    return this.#instances.get(instanceId)?.dispatches.page(q.afterId, q.limit) ?? [];
  }

  async replaceDispatches(fence: Fence, records: readonly DispatchRecord[]): Promise<void> {
    const inst = this.#own(fence);
    const packed = packDispatches(records);
    inst.dispatches.clear();
    for (const p of packed) inst.dispatches.add(p);
  }

  async clearTasks(fence: Fence): Promise<void> {
    const inst = this.#own(fence);
    inst.tasks.clear();
    inst.dispatches.clear();
  }

  async sweepRetained(now: number, limit?: number): Promise<number> {
    const q = checkSweep(now, limit);
    const due = [...this.#instances.values()].filter((i) => i.status !== "RUNNING" && i.retainUntil !== null && i.retainUntil <= q.now);
    due.sort((a, b) => a.retainUntil! - b.retainUntil! || a.order - b.order);
    for (const inst of due.slice(0, q.limit)) {
      inst.tasks.clear();
      inst.retainUntil = null;
    }
    return Math.min(due.length, q.limit);
  }

  async close(): Promise<void> {}

  /** Reads page after page by seq, so rows changed or added meanwhile never repeat or shift a page. */
  async *#pages(instanceId: string, pageSize: number): AsyncGenerator<ResultRow[]> {
    let after = -1;
    for (;;) {
      const rows = this.#instances.get(instanceId)?.tasks;
      if (!rows) return;
      // Copied out before yielding: the page is one consistent read.
      const page = rows.page(after, pageSize);
      if (page.rows.length === 0) return;
      after = page.last;
      yield page.rows;
      if (page.rows.length < pageSize) return;
    }
  }

  /** The instance `fence` names, when the fence is its current one. */
  #own(fence: Fence): Instance {
    const inst = this.#instances.get(fence.instanceId);
    if (!inst) throw new UnknownInstanceError(fence.instanceId);
    if (fence.token !== inst.fence) throw new FencedError(fence.instanceId, fence.token, inst.fence);
    return inst;
  }
}
