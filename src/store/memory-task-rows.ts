/**
 * The tasks of one instance in the memory store, with the indexes that keep
 * every method off full scans where it matters, and the task methods of the
 * TaskStore contract over them (the row transitions come from row-rules.ts).
 * JSON fields hold JSON text.
 */
import { INIT } from "../../core-as/shared/constants.ts";
import { checkNewTask, type CheckedTaskQuery, decodeJson, NULL_TEXT, seqTaken, type UpdateFailure } from "./input.ts";
import { isClaimable, killed, resumed, retried, type RowChange } from "./row-rules.ts";
import { SeqHeap } from "./seq-heap.ts";
import type { NewTask, ResultRow, StatusCount, StatusUpdate, TaskError, TaskRow, TaskStatusCode } from "./task-store.ts";

/** One stored task; JSON fields hold JSON text. */
export interface MemoryRow {
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
  failures: number;
  notBefore: number | null;
  /** Bounded already; handed out as copies. */
  error: TaskError | null;
  updatedAt: number;
  /** An entry for this row sits in the claimable heap (maybe stale). */
  inHeap: boolean;
}

/** A copy of a stored error, so no caller reaches the stored one. */
function errorCopy(e: TaskError | null): TaskError | null {
  return e === null ? null : e.stack === undefined ? { message: e.message } : { message: e.message, stack: e.stack };
}

const bySeq = (a: MemoryRow, b: MemoryRow): number => a.seq - b.seq;

/** First index in `rows` (ascending seq) whose seq is >= `seq`. */
function lowerBound(rows: readonly MemoryRow[], seq: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The task as the store hands it out. */
export function memoryTaskRow(row: MemoryRow): TaskRow {
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
    failures: row.failures,
    notBefore: row.notBefore,
    error: errorCopy(row.error),
    updatedAt: row.updatedAt,
  };
}

/** The tasks of one instance. */
export class MemoryTaskRows {
  /** Every row, ascending seq. */
  readonly #rows: MemoryRow[] = [];
  readonly #bySeq = new Map<number, MemoryRow>();
  readonly #byTaskId = new Map<string, MemoryRow>();
  /** Holds every claimable row (plus stale entries), so claims cost O(claimed · log n). */
  readonly #claimable = new SeqHeap<MemoryRow>();

  /** Highest seq stored, or -1. */
  maxSeq(): number {
    const rows = this.#rows;
    return rows.length === 0 ? -1 : rows[rows.length - 1]!.seq;
  }

  /** The row of `taskId`. */
  byTaskId(taskId: string): MemoryRow | undefined {
    return this.#byTaskId.get(taskId);
  }

  /** insertTasks: checks each task, stores the new ones; one byte per task, 1 when it is stored under its seq. */
  insert(tasks: readonly NewTask[]): Uint8Array {
    const stored = new Uint8Array(tasks.length);
    const fresh: MemoryRow[] = [];
    const batchIds = new Set<string>();
    const batchSeqs = new Set<number>();
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i]!;
      const body = checkNewTask(i, t);
      if (batchIds.has(t.taskId)) continue; // a repeat in the batch: the first wins
      batchIds.add(t.taskId);
      const had = this.#byTaskId.get(t.taskId);
      if (had !== undefined) { // idempotent: left as it is; stored under this seq by an earlier attempt counts
        if (had.seq === t.seq) stored[i] = 1;
        continue;
      }
      if (this.#bySeq.has(t.seq) || batchSeqs.has(t.seq)) throw seqTaken(i, t.seq);
      batchSeqs.add(t.seq);
      stored[i] = 1;
      fresh.push({
        seq: t.seq, taskId: t.taskId, parentId: t.parentId, name: t.name, body,
        status: INIT, attempt: 0, worker: null, result: NULL_TEXT, queued: t.queued,
        failures: 0, notBefore: null, error: null, updatedAt: t.at ?? 0, inHeap: false,
      });
    }
    this.#add(fresh);
    return stored;
  }

  /**
   * updateStatuses, checked already: `results[i]` is update i's result as
   * JSON text, `failures[i]` its failure fields, undefined when none.
   */
  update(updates: readonly StatusUpdate[], results: readonly (string | undefined)[], failures: readonly (UpdateFailure | undefined)[]): void {
    for (let i = 0; i < updates.length; i++) {
      const u = updates[i]!;
      const row = this.#bySeq.get(u.seq);
      if (row === undefined) continue;
      row.attempt = u.attempt;
      if (results[i] !== undefined) row.result = results[i]!;
      const f = failures[i];
      if (f !== undefined) {
        if (f.failures !== undefined) row.failures = f.failures;
        if (f.notBefore !== undefined) row.notBefore = f.notBefore;
        if (f.error !== undefined) row.error = f.error;
      }
      if (u.at !== undefined) row.updatedAt = u.at;
      this.#set(row, u.status, u.worker);
    }
  }

  /** retryFailed: every FAILED row back to INIT for another run; returns how many. */
  retryFailed(): number {
    let changed = 0;
    for (const row of this.#rows) {
      const next = retried(row);
      if (next === null) continue;
      this.#apply(row, next);
      changed++;
    }
    return changed;
  }

  /** listTasks: from the first seq above `q.afterSeq`, the rows that match, until `q.limit` of them. */
  list(q: CheckedTaskQuery): TaskRow[] {
    const rows = this.#rows;
    const out: TaskRow[] = [];
    for (let i = lowerBound(rows, q.afterSeq + 1); i < rows.length && out.length < q.limit; i++) {
      const row = rows[i]!;
      if ((q.status === undefined || row.status === q.status) && (q.name === undefined || row.name === q.name)) out.push(memoryTaskRow(row));
    }
    return out;
  }

  /** failUnfinished: returns how many failed. */
  failUnfinished(result: string): number {
    let changed = 0;
    for (const row of this.#rows) {
      const next = killed(row, result);
      if (next === null) continue;
      this.#apply(row, next);
      changed++;
    }
    return changed;
  }

  /** resetForResume. */
  resetForResume(failover: boolean, result: string): void {
    for (const row of this.#rows) {
      const next = resumed(row, failover, result);
      if (next !== null) this.#apply(row, next);
    }
  }

  /** claimInit: up to `limit` claimable rows, lowest seq first, claimed. */
  claim(limit: number): MemoryRow[] {
    const out: MemoryRow[] = [];
    while (out.length < limit) {
      const row = this.#claimable.pop();
      if (row === undefined) break;
      row.inHeap = false;
      if (isClaimable(row)) {
        row.queued = true; // claimed: its status stays INIT
        out.push(row);
      }
    }
    return out;
  }

  /** countByStatus: per name (in JavaScript string order) and status, empty pairs left out. */
  countByStatus(): StatusCount[] {
    const perName = new Map<string, number[]>();
    for (const row of this.#rows) {
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

  /** Up to `count` rows after seq `after`, in seq order, copied out as reduce sees them. */
  page(after: number, count: number): { last: number; rows: ResultRow[] } {
    const rows = this.#rows;
    const from = lowerBound(rows, after + 1);
    const picked = rows.slice(from, from + count);
    return {
      last: picked.length === 0 ? after : picked[picked.length - 1]!.seq,
      rows: picked.map((row): ResultRow => ({
        taskId: row.taskId, name: row.name, status: row.status, result: decodeJson(row.result), error: errorCopy(row.error), attempt: row.attempt,
      })),
    };
  }

  /** clearTasks. */
  clear(): void {
    this.#rows.length = 0;
    this.#bySeq.clear();
    this.#byTaskId.clear();
    this.#claimable.clear();
  }

  /** Adds new rows (seqs and taskIds not present), keeping seq order. */
  #add(fresh: MemoryRow[]): void {
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

  /** Moves a row to the state a rule gave, keeping the indexes right. */
  #apply(row: MemoryRow, next: RowChange): void {
    row.attempt = next.attempt;
    row.queued = next.queued;
    row.failures = next.failures;
    row.notBefore = next.notBefore;
    row.error = next.error;
    row.updatedAt = next.updatedAt ?? row.updatedAt;
    if (next.result !== undefined) row.result = next.result;
    this.#set(row, next.status, next.worker);
  }

  /** Moves a row to `status` and `worker`, keeping the indexes right. */
  #set(row: MemoryRow, status: TaskStatusCode, worker: string | null): void {
    row.status = status;
    row.worker = worker;
    this.#offer(row);
  }

  /** Puts a claimable row in the heap unless it is there already. */
  #offer(row: MemoryRow): void {
    if (isClaimable(row) && !row.inHeap) {
      row.inHeap = true;
      this.#claimable.push(row);
    }
  }
}
