/**
 * The in-memory TaskStore: nothing survives the process, everything else
 * behaves as a durable backend does. JSON values are kept as JSON text, so a
 * caller can never reach stored state through an object it handed in or got
 * back, and values come out exactly as a serializing backend returns them.
 *
 * Every method runs synchronously to completion inside its promise, so each
 * call is one atomic step (the "one transaction" of the interface).
 */
import { FAILED, INIT, PULLED, RUNNING } from "../../core-as/shared/constants.ts";
import { expectInt } from "../errors/validate.ts";
import { ValidationError } from "../errors/validation-error.ts";
import type { JsonValue } from "../protocol/messages.ts";
import { DuplicateInstanceError, FencedError, LeaseHeldError, UnknownInstanceError } from "./errors.ts";
import {
  checkExpiredQuery, checkFences, checkLease, checkListFilter, checkNewInstance, checkNewTask, checkPatch, checkReset, checkSeqs, checkStatus, checkUpdate,
  checkWorker, decodeJson, encodeJson, expectBoolean, expectString, NULL_TEXT, requireLease,
} from "./input.ts";
import type {
  Fence, InstancePatch, InstanceRecord, InstanceStatus, LeaseTerms, NewInstance, NewTask, ResultRow, StatusCount,
  StatusUpdate, TaskRow, TaskStatusCode, TaskStore,
} from "./task-store.ts";

/** Rows `results` reads at a time unless told. */
const DEFAULT_PAGE_SIZE = 1000;

/** One stored task; JSON fields hold JSON text. */
interface Row {
  readonly seq: number;
  readonly taskId: string;
  readonly parentId: string | null;
  readonly name: string;
  readonly body: string;
  status: TaskStatusCode;
  attempt: number;
  worker: string | null;
  result: string;
  /** The owner holds it in memory; `claimInit` skips it. */
  queued: boolean;
  /** An entry for this row sits in the claimable heap (maybe stale). */
  inHeap: boolean;
}

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
  readonly tasks: TaskTable;
}

const bySeq = (a: Row, b: Row): number => a.seq - b.seq;

/** Min-heap of rows by seq. Entries may be stale (the row moved on); readers re-check. */
class SeqHeap {
  readonly #a: Row[] = [];

  get size(): number {
    return this.#a.length;
  }

  push(row: Row): void {
    const a = this.#a;
    let i = a.push(row) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]!.seq <= row.seq) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = row;
  }

  pop(): Row | undefined {
    const a = this.#a;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    const n = a.length;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && a[child + 1]!.seq < a[child]!.seq) child++;
      if (a[child]!.seq >= last.seq) break;
      a[i] = a[child]!;
      i = child;
    }
    a[i] = last;
    return top;
  }

  clear(): void {
    this.#a.length = 0;
  }
}

/** First index in `rows` (ascending seq) whose seq is >= `seq`. */
function lowerBound(rows: readonly Row[], seq: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The tasks of one instance, with the indexes that keep every method off full scans where it matters. */
class TaskTable {
  /** Every row, ascending seq. */
  readonly #rows: Row[] = [];
  readonly #bySeq = new Map<number, Row>();
  readonly #byTaskId = new Map<string, Row>();
  /** Holds every INIT, not-queued row (plus stale entries), so claims cost O(claimed · log n). */
  readonly #claimable = new SeqHeap();
  /** worker → its PULLED and RUNNING rows, so a worker's failover does not scan the table. */
  readonly #inFlight = new Map<string, Set<Row>>();

  get rows(): readonly Row[] {
    return this.#rows;
  }

  bySeq(seq: number): Row | undefined {
    return this.#bySeq.get(seq);
  }

  byTaskId(taskId: string): Row | undefined {
    return this.#byTaskId.get(taskId);
  }

  maxSeq(): number {
    const rows = this.#rows;
    return rows.length === 0 ? -1 : rows[rows.length - 1]!.seq;
  }

  /** Adds new rows (seqs and taskIds not present), keeping seq order. */
  add(fresh: Row[]): void {
    if (fresh.length === 0) return;
    fresh.sort(bySeq); // usually sorted already: linear
    for (const row of fresh) {
      this.#bySeq.set(row.seq, row);
      this.#byTaskId.set(row.taskId, row);
      this.#offer(row);
    }
    const rows = this.#rows;
    if (rows.length === 0 || fresh[0]!.seq > rows[rows.length - 1]!.seq) {
      for (const row of fresh) rows.push(row);
      return;
    }
    // Batches stored out of order: merge only the tail they land in.
    const tail = rows.splice(lowerBound(rows, fresh[0]!.seq));
    let i = 0;
    let j = 0;
    while (i < tail.length && j < fresh.length) rows.push(tail[i]!.seq < fresh[j]!.seq ? tail[i++]! : fresh[j++]!);
    while (i < tail.length) rows.push(tail[i++]!);
    while (j < fresh.length) rows.push(fresh[j++]!);
  }

  /** Moves a row to `status` and `worker`, keeping the indexes right. */
  set(row: Row, status: TaskStatusCode, worker: string | null): void {
    if ((row.status === PULLED || row.status === RUNNING) && row.worker !== null) {
      const set = this.#inFlight.get(row.worker);
      if (set) {
        set.delete(row);
        if (set.size === 0) this.#inFlight.delete(row.worker);
      }
    }
    row.status = status;
    row.worker = worker;
    if ((status === PULLED || status === RUNNING) && worker !== null) {
      let set = this.#inFlight.get(worker);
      if (!set) this.#inFlight.set(worker, set = new Set());
      set.add(row);
    }
    this.#offer(row);
  }

  /** Sets the queued flag. */
  setQueued(row: Row, queued: boolean): void {
    row.queued = queued;
    this.#offer(row);
  }

  /** The PULLED and RUNNING rows handed to `worker`, in seq order. */
  inFlight(worker: string): Row[] {
    const set = this.#inFlight.get(worker);
    return set ? [...set].sort(bySeq) : [];
  }

  /** Marks up to `limit` INIT, not-queued rows queued, lowest seq first. */
  claim(limit: number): Row[] {
    const out: Row[] = [];
    while (out.length < limit) {
      const row = this.#claimable.pop();
      if (row === undefined) break;
      row.inHeap = false;
      if (row.status === INIT && !row.queued) {
        row.queued = true;
        out.push(row);
      }
    }
    return out;
  }

  /** `count` rows after seq `after`, in seq order. */
  page(after: number, count: number): Row[] {
    const rows = this.#rows;
    const from = lowerBound(rows, after + 1);
    return rows.slice(from, from + count);
  }

  clear(): void {
    this.#rows.length = 0;
    this.#bySeq.clear();
    this.#byTaskId.clear();
    this.#claimable.clear();
    this.#inFlight.clear();
  }

  #offer(row: Row): void {
    if (row.status === INIT && !row.queued && !row.inHeap) {
      row.inHeap = true;
      this.#claimable.push(row);
    }
  }
}

function taskRow(row: Row): TaskRow {
  return {
    seq: row.seq,
    taskId: row.taskId,
    parentId: row.parentId,
    name: row.name,
    body: decodeJson(row.body),
    status: row.status,
    attempt: row.attempt,
    worker: row.worker,
    result: decodeJson(row.result),
  };
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
      tasks: new TaskTable(),
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

  async listInstances(filter: { status?: InstanceStatus; limit?: number } = {}): Promise<InstanceRecord[]> {
    const { status, limit = Infinity } = checkListFilter(filter);
    const picked: Instance[] = [];
    for (const inst of this.#instances.values()) if (status === undefined || inst.status === status) picked.push(inst);
    picked.sort((a, b) => b.createdAt - a.createdAt || b.order - a.order);
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
  }

  async insertTasks(fence: Fence, tasks: readonly NewTask[]): Promise<Uint8Array> {
    const table = this.#own(fence).tasks;
    const stored = new Uint8Array(tasks.length);
    const fresh: Row[] = [];
    const batchIds = new Set<string>();
    const batchSeqs = new Set<number>();
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i]!;
      const body = checkNewTask(i, t);
      if (batchIds.has(t.taskId)) continue; // a repeat in the batch: the first wins
      batchIds.add(t.taskId);
      const had = table.byTaskId(t.taskId);
      if (had !== undefined) { // idempotent: left as it is; stored under this seq by an earlier attempt counts
        if (had.seq === t.seq) stored[i] = 1;
        continue;
      }
      if (table.bySeq(t.seq) !== undefined || batchSeqs.has(t.seq)) {
        throw new ValidationError(`tasks[${i}].seq`, "a seq no other task holds", t.seq);
      }
      batchSeqs.add(t.seq);
      stored[i] = 1;
      fresh.push({
        seq: t.seq, taskId: t.taskId, parentId: t.parentId, name: t.name, body,
        status: INIT, attempt: 0, worker: null, result: NULL_TEXT, queued: t.queued, inHeap: false,
      });
    }
    table.add(fresh);
    return stored;
  }

  async updateStatuses(fence: Fence, updates: readonly StatusUpdate[]): Promise<void> {
    const table = this.#own(fence).tasks;
    const results: (string | undefined)[] = new Array(updates.length);
    for (let i = 0; i < updates.length; i++) results[i] = checkUpdate(i, updates[i]!);
    for (let i = 0; i < updates.length; i++) {
      const u = updates[i]!;
      const row = table.bySeq(u.seq);
      if (row === undefined) continue;
      row.attempt = u.attempt;
      if (results[i] !== undefined) row.result = results[i]!;
      table.set(row, u.status, u.worker);
    }
  }

  async setStatus(fence: Fence, seqs: readonly number[], status: TaskStatusCode, worker: string | null): Promise<void> {
    const table = this.#own(fence).tasks;
    checkStatus("status", status);
    checkWorker("worker", worker);
    checkSeqs(seqs);
    for (const seq of seqs) {
      const row = table.bySeq(seq);
      if (row !== undefined) table.set(row, status, worker);
    }
  }

  async resetWorkerTasks(
    fence: Fence, worker: string, to: { status: 1; queued: boolean } | { status: 5; result: JsonValue },
  ): Promise<number> {
    const table = this.#own(fence).tasks;
    expectString("worker", worker, false);
    const target = checkReset(to);
    const rows = table.inFlight(worker);
    for (const row of rows) {
      if (target.status === INIT) {
        row.attempt++;
        row.queued = target.queued;
        table.set(row, INIT, null);
      } else {
        row.result = target.result;
        table.set(row, FAILED, row.worker);
      }
    }
    return rows.length;
  }

  async failUnfinished(fence: Fence, result: JsonValue): Promise<number> {
    const table = this.#own(fence).tasks;
    const text = encodeJson("result", result);
    let changed = 0;
    for (const row of table.rows) {
      if (row.status === INIT || row.status === PULLED || row.status === RUNNING) {
        row.result = text;
        table.set(row, FAILED, row.worker);
        changed++;
      }
    }
    return changed;
  }

  async resetForResume(fence: Fence, failover: boolean, result: JsonValue): Promise<void> {
    const table = this.#own(fence).tasks;
    expectBoolean("failover", failover);
    const text = encodeJson("result", result);
    for (const row of table.rows) {
      if (row.status === PULLED || row.status === RUNNING) {
        if (failover) {
          row.attempt++;
          row.queued = false;
          table.set(row, INIT, null);
        } else {
          row.result = text;
          table.set(row, FAILED, row.worker);
        }
      } else if (row.status === INIT && row.queued) {
        table.setQueued(row, false);
      }
    }
  }

  async claimInit(fence: Fence, limit: number): Promise<TaskRow[]> {
    const table = this.#own(fence).tasks;
    expectInt("limit", limit, 0);
    return table.claim(limit).map(taskRow);
  }

  async countByStatus(instanceId: string): Promise<StatusCount[]> {
    const table = this.#instances.get(instanceId)?.tasks;
    if (!table) return [];
    const perName = new Map<string, number[]>();
    for (const row of table.rows) {
      let counts = perName.get(row.name);
      if (!counts) perName.set(row.name, counts = [0, 0, 0, 0, 0, 0]);
      counts[row.status]!++;
    }
    const out: StatusCount[] = [];
    for (const name of [...perName.keys()].sort()) {
      const counts = perName.get(name)!;
      for (let status = 1; status <= 5; status++) {
        if (counts[status]! > 0) out.push({ name, status: status as TaskStatusCode, count: counts[status]! });
      }
    }
    return out;
  }

  async maxSeq(instanceId: string): Promise<number> {
    return this.#instances.get(instanceId)?.tasks.maxSeq() ?? -1;
  }

  async getTask(instanceId: string, taskId: string): Promise<TaskRow | null> {
    const row = this.#instances.get(instanceId)?.tasks.byTaskId(taskId);
    return row ? taskRow(row) : null;
  }

  /** @param pageSize rows read at a time. @default 1000 */
  results(instanceId: string, pageSize: number = DEFAULT_PAGE_SIZE): AsyncIterable<ResultRow> {
    expectInt("pageSize", pageSize, 1);
    return this.#pages(instanceId, pageSize);
  }

  async clearTasks(fence: Fence): Promise<void> {
    this.#own(fence).tasks.clear();
  }

  async close(): Promise<void> {}

  /** Reads page after page by seq, so rows changed or added meanwhile never repeat or shift a page. */
  async *#pages(instanceId: string, pageSize: number): AsyncGenerator<ResultRow> {
    let after = -1;
    for (;;) {
      const table = this.#instances.get(instanceId)?.tasks;
      if (!table) return;
      const rows = table.page(after, pageSize);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.seq;
      // Copied out before yielding: the page is one consistent read.
      const page = rows.map((row): ResultRow => ({
        taskId: row.taskId, name: row.name, status: row.status, result: decodeJson(row.result),
      }));
      yield* page;
      if (rows.length < pageSize) return;
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
