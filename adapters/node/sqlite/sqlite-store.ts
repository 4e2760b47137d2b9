/**
 * The embedded TaskStore: one SQLite file through better-sqlite3, in WAL mode
 * with synchronous=NORMAL (a crash of the process loses nothing committed; a
 * power cut may lose the last transactions, never corrupt the file).
 *
 * Every method runs synchronously inside its promise, and every write is one
 * IMMEDIATE transaction that first reads the instance's fencing token, so a
 * deposed owner's write changes nothing, whichever process made the newer
 * token (sqlite-db.ts). The hot paths are set-based (PERF-NOTES): multi-row
 * INSERTs, one `UPDATE … WHERE id IN (…)` per group of like updates,
 * prepared once. Task rows are keyed `instance num * 2^32 + seq`
 * (task-key.ts); claims walk that key from the instance's `claim_from`.
 * Figures and what was tried: bench/RESULTS.md, "store: SQLite".
 *
 * This file opens and closes the database; each method is in the file named
 * after it: sqlite-instances.ts (records and leases), sqlite-insert.ts,
 * sqlite-updates.ts (updateStatuses), sqlite-resets.ts
 * (failUnfinished, resetForResume, retryFailed),
 * sqlite-claim.ts, sqlite-reads.ts (counts, maxSeq, getTask, listTasks,
 * results), sqlite-clear.ts, sqlite-sweep.ts (sweepRetained),
 * sqlite-dispatches.ts (dispatch records, B27).
 */
import Database from "better-sqlite3";
import { expectInt } from "../../../src/errors/validate.ts";
import { ValidationError } from "../../../src/errors/validation-error.ts";
import type { JsonValue } from "../../../src/protocol/messages.ts";
import {
  checkExpiredQuery, checkFences, checkLease, checkListFilter, checkNewInstance, checkSweep, checkTaskQuery, expectString, requireLease,
} from "../../../src/store/input.ts";
import type {
  DispatchRecord, Fence, InstancePatch, InstanceRecord, LeaseTerms, NewInstance, NewTask, ResultRow, StatusCount,
  StatusUpdate, StoredDispatch, TaskQuery, TaskRow, TaskStore, InstanceFilter,
} from "../../../src/store/task-store.ts";
import { guardOpen, migrate } from "./migrate.ts";
import { claimColumns, claimInit, type ClaimedColumns } from "./sqlite-claim.ts";
import { clearTasks } from "./sqlite-clear.ts";
import { SqliteDb } from "./sqlite-db.ts";
import { DEFAULT_SQLITE_FILE, sqliteFilePath } from "./sqlite-file.ts";
import { insertChecked, insertTasks, type TaskFields } from "./sqlite-insert.ts";
import {
  acquireInstance, createInstance, expiredInstances, getInstance, listInstancePage, listInstances, renewLeases, updateInstance,
} from "./sqlite-instances.ts";
import { SqliteOpenError } from "./sqlite-open-error.ts";
import { countByStatus, getTask, listTasks, maxSeq, resultColumnPages, resultPages, type ResultColumns } from "./sqlite-reads.ts";
import { failUnfinished, resetForResume, retryFailed } from "./sqlite-resets.ts";
import { sweepRetained } from "./sqlite-sweep.ts";
import { listDispatches, recordDispatch, replaceDispatches } from "./sqlite-dispatches.ts";
import { checkDispatchPage, packDispatch, packDispatches, type PackedDispatch } from "../../../src/store/dispatch-records.ts";
import { updateChecked, updateStatuses, type UpdateFields } from "./sqlite-updates.ts";
import type { UpdateFailure } from "../../../src/store/input.ts";
import { pageRows } from "../../../src/store/page-rows.ts";

/** Rows `results` reads at a time unless told. */
const DEFAULT_PAGE_SIZE = 1000;
/** WAL pages between automatic checkpoints (4 KiB each). */
const WAL_CHECKPOINT_PAGES = 10_000;
/** Bytes the WAL file is truncated to after a checkpoint. */
const WAL_SIZE_LIMIT = 64 * 2 ** 20;

/** Options of a SQLite store. */
export interface SqliteStoreOptions {
  /**
   * How long a statement waits for a lock another connection or process holds
   * before failing with "database is locked" (SQLite's `busy_timeout`), in ms (B34).
   * @default 5000
   */
  busyTimeoutMs?: number;
}

/** `busyTimeoutMs` when not given. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Checks SqliteStoreOptions, naming the field. */
export function resolveSqliteOptions(o: SqliteStoreOptions = {}): Required<SqliteStoreOptions> {
  return { busyTimeoutMs: expectInt("busyTimeoutMs", o.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS, 0, 2 ** 31 - 1) };
}

/**
 * A TaskStore in one SQLite file. Opening creates the file when missing,
 * applies the schema migrations, and refuses (SqliteOpenError naming the
 * file) one that is not SQLite, belongs to something else, or was written by
 * a newer taskmill.
 * @example const store = new SqliteStore("/var/lib/taskmill/taskmill.db");
 */
export class SqliteStore implements TaskStore {
  readonly kind = "sqlite";
  /** The absolute path of the database file (or ":memory:"). */
  readonly file: string;
  readonly #db: SqliteDb;

  /** @param file the database file, relative to the working directory. @default "taskmill.db" */
  constructor(file: string = DEFAULT_SQLITE_FILE, options: SqliteStoreOptions = {}) {
    if (typeof file !== "string" || file === "") throw new ValidationError("file", "a file path", file);
    const { busyTimeoutMs } = resolveSqliteOptions(options);
    this.file = sqliteFilePath(file);
    let db: Database.Database;
    try {
      // The busy timeout holds from the first statement on, the migration's included (B34).
      db = new Database(this.file, { timeout: busyTimeoutMs });
    } catch (e) {
      throw new SqliteOpenError(this.file, (e as Error).message, { cause: e });
    }
    try {
      migrate(db, this.file);
      guardOpen(this.file, () => {
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = NORMAL");
        // Wait for a lock another process holds instead of failing at once (B34).
        db.pragma(`busy_timeout = ${busyTimeoutMs}`);
        // Checkpoint every ~40 MB of WAL instead of 4 MB: a page rewritten by many
        // batches is copied back once, not once per 4 MB (-8 % on inserts).
        db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
        db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
      });
    } catch (e) {
      db.close();
      throw e;
    }
    this.#db = new SqliteDb(db);
  }

  async createInstance(instance: NewInstance, owner: string, lease?: LeaseTerms): Promise<Fence> {
    const c = checkNewInstance(instance, owner);
    return createInstance(this.#db, c, checkLease(lease));
  }

  async acquireInstance(instanceId: string, owner: string, lease?: LeaseTerms): Promise<Fence> {
    expectString("owner", owner);
    return acquireInstance(this.#db, instanceId, owner, checkLease(lease));
  }

  async renewLeases(owner: string, fences: readonly Fence[], lease: LeaseTerms): Promise<string[]> {
    expectString("owner", owner);
    const checked = checkFences(fences);
    return renewLeases(this.#db, owner, checked, requireLease(lease));
  }

  async expiredInstances(now: number, limit?: number): Promise<InstanceRecord[]> {
    const q = checkExpiredQuery(now, limit);
    return expiredInstances(this.#db, q.now, q.limit);
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | null> {
    return getInstance(this.#db, instanceId);
  }

  async listInstances(filter: InstanceFilter = {}): Promise<InstanceRecord[]> {
    const { status, processor, before, limit = -1 } = checkListFilter(filter);
    // A3: the plain listings keep their own statements (and indexes); a page by processor or cursor has one.
    if (processor !== undefined || before !== undefined) return listInstancePage(this.#db, { status, processor, before, limit });
    return listInstances(this.#db, status, limit);
  }

  async updateInstance(fence: Fence, patch: InstancePatch): Promise<void> {
    updateInstance(this.#db, fence, patch);
  }

  async insertTasks(fence: Fence, tasks: readonly NewTask[]): Promise<Uint8Array> {
    return insertTasks(this.#db, fence, tasks);
  }

  async updateStatuses(fence: Fence, updates: readonly StatusUpdate[]): Promise<void> {
    updateStatuses(this.#db, fence, updates);
  }

  async failUnfinished(fence: Fence, result: JsonValue): Promise<number> {
    return failUnfinished(this.#db, fence, result);
  }

  async resetForResume(fence: Fence, failover: boolean, result: JsonValue): Promise<void> {
    resetForResume(this.#db, fence, failover, result);
  }

  async retryFailed(fence: Fence): Promise<number> {
    return retryFailed(this.#db, fence);
  }

  async claimInit(fence: Fence, limit: number): Promise<TaskRow[]> {
    return claimInit(this.#db, fence, limit);
  }

  async countByStatus(instanceId: string): Promise<StatusCount[]> {
    return countByStatus(this.#db, instanceId);
  }

  async maxSeq(instanceId: string): Promise<number> {
    return maxSeq(this.#db, instanceId);
  }

  async getTask(instanceId: string, taskId: string): Promise<TaskRow | null> {
    return getTask(this.#db, instanceId, taskId);
  }

  async listTasks(instanceId: string, q: TaskQuery): Promise<TaskRow[]> {
    return listTasks(this.#db, instanceId, checkTaskQuery(q));
  }

  /** @param pageSize rows read at a time. @default 1000 */
  results(instanceId: string, pageSize: number = DEFAULT_PAGE_SIZE): AsyncIterable<ResultRow> {
    expectInt("pageSize", pageSize, 1);
    return pageRows(resultPages(this.#db, instanceId, pageSize));
  }

  async recordDispatch(fence: Fence, record: DispatchRecord): Promise<void> {
    const p = packDispatch(record);
    if (p !== null) recordDispatch(this.#db, fence, p);
  }

  async listDispatches(instanceId: string, afterId: number, limit: number): Promise<StoredDispatch[]> {
    const q = checkDispatchPage(afterId, limit);
    return listDispatches(this.#db, instanceId, q.afterId, q.limit);
  }

  async replaceDispatches(fence: Fence, records: readonly DispatchRecord[]): Promise<void> {
    replaceDispatches(this.#db, fence, packDispatches(records));
  }

  async clearTasks(fence: Fence): Promise<void> {
    clearTasks(this.#db, fence);
  }

  async sweepRetained(now: number, limit?: number): Promise<number> {
    const q = checkSweep(now, limit);
    return sweepRetained(this.#db, q.now, q.limit);
  }

  // The store thread's entries (store-thread.ts): the same writes and reads with
  // the checks and JSON encoding done by the caller on its own thread, and the
  // rows read left as columns with their JSON as text. Not part of TaskStore.

  /** insertTasks of tasks checked with checkNewTask (seq at most MAX_SEQ), bodies as column values. */
  insertChecked(fence: Fence, tasks: readonly TaskFields[], bodies: readonly (string | null)[]): Uint8Array {
    return insertChecked(this.#db, fence, tasks, bodies);
  }

  /** updateStatuses of checked updates, results as column values, failure fields by index. */
  updateChecked(
    fence: Fence, updates: readonly UpdateFields[], results: (string | null | undefined)[], failures: (UpdateFailure | undefined)[] | null,
  ): void {
    updateChecked(this.#db, fence, updates, results, failures);
  }

  /** claimInit, its rows as columns. */
  claimColumns(fence: Fence, limit: number): ClaimedColumns {
    return claimColumns(this.#db, fence, limit);
  }

  /** recordDispatch of a record packed (and so checked) with packDispatch. */
  recordPacked(fence: Fence, p: PackedDispatch): void {
    recordDispatch(this.#db, fence, p);
  }

  /** The pages of `results` as columns, each read when asked for. */
  resultColumnPages(instanceId: string, pageSize: number): Iterator<ResultColumns[]> {
    expectInt("pageSize", pageSize, 1);
    return resultColumnPages(this.#db, instanceId, pageSize);
  }

  async close(): Promise<void> {
    if (this.#db.db.open) this.#db.db.close();
  }
}
