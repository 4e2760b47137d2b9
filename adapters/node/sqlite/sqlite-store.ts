/**
 * The embedded TaskStore: one SQLite file through better-sqlite3, in WAL mode
 * with synchronous=NORMAL (a crash of the process loses nothing committed; a
 * power cut may lose the last transactions, never corrupt the file).
 *
 * Every method runs synchronously inside its promise, and every write is one
 * IMMEDIATE transaction that first reads the instance's fencing token, so a
 * deposed owner's write changes nothing, whichever process made the newer
 * token. The hot paths are set-based (PERF-NOTES): multi-row INSERTs, one
 * `UPDATE … WHERE id IN (…)` per group of like updates, prepared once. Task
 * rows are keyed `instance num * 2^32 + seq` (task-key.ts); claims walk that
 * key from the instance's `claim_from` rather than keep an index of
 * claimable tasks, so writes pay for no index but the task-id one.
 * Figures and what was tried: bench/RESULTS.md, "store: SQLite".
 */
import Database from "better-sqlite3";
import { INIT } from "../../../core-as/shared/constants.ts";
import { expectInt } from "../../../src/errors/validate.ts";
import { ValidationError } from "../../../src/errors/validation-error.ts";
import type { JsonValue } from "../../../src/protocol/messages.ts";
import { DuplicateInstanceError, FencedError, LeaseHeldError, UnknownInstanceError } from "../../../src/store/errors.ts";
import type {
  Fence, InstancePatch, InstanceRecord, InstanceStatus, LeaseTerms, NewInstance, NewTask, ResultRow, StatusCount,
  StatusUpdate, TaskRow, TaskStatusCode, TaskStore,
} from "../../../src/store/task-store.ts";
import {
  checkExpiredQuery, checkFences, checkLease, checkListFilter, checkNewInstance, checkNewTask, checkPatch, checkReset,
  checkSeq, checkStatus, checkUpdate, checkWorker, expectBoolean, expectString, firstOfEachTaskId, isSeq, requireLease,
} from "../../../src/store/input.ts";
import { fromJson, sqlJson, toJson } from "./json-column.ts";
import { guardOpen, migrate } from "./migrate.ts";
import { readStatement, repeatParts } from "./sql-files.ts";
import { SqliteOpenError } from "./sqlite-open-error.ts";
import { DEFAULT_SQLITE_FILE, sqliteFilePath } from "./sqlite-file.ts";
import { MAX_SEQ, TaskKeys } from "./task-key.ts";

/** Rows `results` reads at a time unless told. */
const DEFAULT_PAGE_SIZE = 1000;
/** Rows per multi-row INSERT (7 parameters each); smaller remainders go by powers of two. */
const INSERT_ROWS = 64;
/** Ids per `IN (…)` list; a shorter list is padded to a power of two by repeating its last id. */
const IN_LIST = 512;
/** Rows per CASE update: its WHEN arms are matched one by one, so past ~100 a longer list costs more. */
const CASE_ROWS = 64;
/** WAL pages between automatic checkpoints (4 KiB each). */
const WAL_CHECKPOINT_PAGES = 10_000;
/** Bytes the WAL file is truncated to after a checkpoint. */
const WAL_SIZE_LIMIT = 64 * 2 ** 20;
/** Instance keys remembered; nums never change, so this only bounds memory. */
const KEY_CACHE = 10_000;

/** Thrown inside the insert savepoint when a multi-row INSERT skipped a row. */
const SKIPPED = Symbol("skipped");

/** The statements, by `.sql` file name. */
const STATEMENTS = [
  "create-instance", "acquire-instance", "get-lease", "renew-leases", "expired-instances", "get-instance",
  "list-instances", "list-instances-by-status", "get-instance-num",
  "get-fence", "update-instance", "get-claim-from", "lower-claim-from", "set-claim-from",
  "insert-tasks", "insert-tasks-returning", "get-task-seqs", "set-status", "update-statuses", "update-statuses-with-results",
  "reset-worker-tasks-to-init", "reset-worker-tasks-to-failed", "fail-unfinished", "reset-for-resume-failover",
  "reset-for-resume-fail", "reset-for-resume-unqueue", "claim-init", "claim-init-mark", "count-by-status",
  "max-seq", "get-task", "results-page", "clear-tasks",
] as const;
type StatementName = (typeof STATEMENTS)[number];

type Statement = Database.Statement<unknown[], unknown>;

interface InstanceColumns {
  num: number;
  instance_id: string;
  processor: string;
  settings: string | null;
  params: string | null;
  status: InstanceStatus;
  result: string | null;
  serial_num: number;
  owner: string;
  fence: number;
  lease_until: number | null;
  created_at: number;
  finished_at: number | null;
  progress: string | null;
}

interface TaskColumns {
  seq: number;
  task_id: string;
  parent_id: string | null;
  name: string;
  body: string | null;
  status: TaskStatusCode;
  attempt: number;
  worker: string | null;
  result: string | null;
}

/** A claimed task, as claim-init.sql reads it in raw mode. */
type ClaimColumns = [number, string, string | null, string, string | null, TaskStatusCode, number, string | null, string | null];

/** Largest power of two <= n (n >= 1). */
function floorPow2(n: number): number {
  return 2 ** Math.floor(Math.log2(n));
}

/** Smallest power of two >= n (n >= 1). */
function ceilPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}

function record(r: InstanceColumns): InstanceRecord {
  return {
    instanceId: r.instance_id,
    processor: r.processor,
    settings: fromJson(r.settings),
    params: fromJson(r.params),
    status: r.status,
    result: fromJson(r.result),
    serialNum: r.serial_num,
    owner: r.owner,
    fence: r.fence,
    leaseUntil: r.lease_until,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    progress: fromJson(r.progress) as InstanceRecord["progress"],
  };
}

function taskRow(r: TaskColumns): TaskRow {
  return {
    seq: r.seq,
    taskId: r.task_id,
    parentId: r.parent_id,
    name: r.name,
    body: fromJson(r.body),
    status: r.status,
    attempt: r.attempt,
    worker: r.worker,
    result: fromJson(r.result),
  };
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
  readonly #db: Database.Database;
  readonly #sql: Record<StatementName, string>;
  /** Prepared statements: by name, and by `name/rows` for the repeated forms. */
  readonly #stmts = new Map<string, Statement>();
  /** Bind arrays, reused per statement form: the hot paths allocate none. */
  readonly #args = new Map<string, unknown[]>();
  /** instanceId → its task ids; an instance's num never changes. */
  readonly #keys = new Map<string, TaskKeys>();
  /** Runs a function in a transaction (IMMEDIATE when outermost, a savepoint when nested). */
  readonly #tx: Database.Transaction<(fn: () => unknown) => unknown>;

  /** @param file the database file, relative to the working directory. @default "taskmill.db" */
  constructor(file: string = DEFAULT_SQLITE_FILE) {
    if (typeof file !== "string" || file === "") throw new ValidationError("file", "a file path", file);
    this.file = sqliteFilePath(file);
    let db: Database.Database;
    try {
      db = new Database(this.file);
    } catch (e) {
      throw new SqliteOpenError(this.file, (e as Error).message, { cause: e });
    }
    try {
      migrate(db, this.file);
      guardOpen(this.file, () => {
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = NORMAL");
        // Checkpoint every ~40 MB of WAL instead of 4 MB: a page rewritten by many
        // batches is copied back once, not once per 4 MB (-8 % on inserts).
        db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
        db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
      });
    } catch (e) {
      db.close();
      throw e;
    }
    this.#db = db;
    this.#sql = Object.fromEntries(STATEMENTS.map((name) => [name, readStatement(name)])) as Record<StatementName, string>;
    this.#tx = db.transaction((fn: () => unknown) => fn());
  }

  // ---------------------------------------------------------------- instances

  async createInstance(instance: NewInstance, owner: string, lease?: LeaseTerms): Promise<Fence> {
    const c = checkNewInstance(instance, owner);
    const terms = checkLease(lease);
    const instanceId = c.instanceId;
    const args = [instanceId, c.processor, sqlJson(c.settings), sqlJson(c.params), c.serialNum, c.owner, c.createdAt, terms?.until ?? null];
    const num = this.#write(() => this.#stmt("create-instance").pluck().get(args)) as number | undefined;
    if (num === undefined) throw new DuplicateInstanceError(instanceId);
    this.#remember(instanceId, num);
    return { instanceId, token: 1 };
  }

  async acquireInstance(instanceId: string, owner: string, lease?: LeaseTerms): Promise<Fence> {
    expectString("owner", owner);
    const terms = checkLease(lease);
    const token = this.#write(() => {
      // Checked and taken in one IMMEDIATE transaction: two masters never both take one instance.
      const held = this.#stmt("get-lease").get(instanceId) as { owner: string; lease_until: number | null } | undefined;
      if (held === undefined) return undefined;
      if (terms !== null && held.lease_until !== null && held.lease_until > terms.now && held.owner !== owner) {
        throw new LeaseHeldError(instanceId, held.owner, held.lease_until);
      }
      return this.#stmt("acquire-instance").pluck().get(owner, terms?.until ?? null, instanceId) as number;
    });
    if (token === undefined) throw new UnknownInstanceError(instanceId);
    return { instanceId, token };
  }

  async renewLeases(owner: string, fences: readonly Fence[], lease: LeaseTerms): Promise<string[]> {
    expectString("owner", owner);
    const checked = checkFences(fences);
    const terms = requireLease(lease);
    return this.#write(() => {
      const renewed: string[] = [];
      const stmt = this.#stmt("renew-leases");
      for (const f of checked) if (stmt.get(terms.until, f.instanceId, owner, f.token) !== undefined) renewed.push(f.instanceId);
      return renewed;
    });
  }

  async expiredInstances(now: number, limit?: number): Promise<InstanceRecord[]> {
    const q = checkExpiredQuery(now, limit);
    return (this.#stmt("expired-instances").all(q.now, q.limit ?? -1) as InstanceColumns[]).map(record);
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | null> {
    const row = this.#stmt("get-instance").get(instanceId) as InstanceColumns | undefined;
    return row ? record(row) : null;
  }

  async listInstances(filter: { status?: InstanceStatus; limit?: number } = {}): Promise<InstanceRecord[]> {
    const { status, limit = -1 } = checkListFilter(filter);
    const rows = (status === undefined
      ? this.#stmt("list-instances").all(limit)
      : this.#stmt("list-instances-by-status").all(status, limit)) as InstanceColumns[];
    return rows.map(record);
  }

  async updateInstance(fence: Fence, patch: InstancePatch): Promise<void> {
    const p = checkPatch(patch);
    const pair = (v: unknown) => (v === undefined ? [0, null] : [1, v]);
    const text = (v: string | undefined) => (v === undefined ? undefined : sqlJson(v));
    this.#write(() => {
      const keys = this.#own(fence);
      this.#stmt("update-instance").run(
        ...pair(p.status), ...pair(text(p.result)), ...pair(p.serialNum), ...pair(p.finishedAt), ...pair(text(p.progress)), keys.num);
    });
  }

  // -------------------------------------------------------------------- tasks

  async insertTasks(fence: Fence, tasks: readonly NewTask[]): Promise<Uint8Array> {
    const n = tasks.length;
    const bodies: (string | null)[] = new Array(n);
    let lowestUnqueued = Infinity;
    for (let i = 0; i < n; i++) {
      const t = tasks[i]!;
      bodies[i] = sqlJson(checkNewTask(i, t, MAX_SEQ));
      if (!t.queued && t.seq < lowestUnqueued) lowestUnqueued = t.seq;
    }
    return this.#write(() => {
      const keys = this.#own(fence);
      if (n === 0) return new Uint8Array(0);
      let mask: Uint8Array | null = null;
      try {
        // All new (the usual case): multi-row INSERTs, and every row counts.
        this.#tx(() => this.#insertRows(keys, tasks, bodies, null, null));
      } catch (e) {
        if (e !== SKIPPED) throw e;
        // Some exist: the savepoint is undone; inserted again, naming the rows skipped, whose stored seqs tell which count.
        mask = this.#insertAndLook(keys, tasks, bodies);
      }
      if (lowestUnqueued !== Infinity) this.#lowerClaimFrom(keys, lowestUnqueued);
      return mask ?? new Uint8Array(n).fill(1);
    });
  }

  async updateStatuses(fence: Fence, updates: readonly StatusUpdate[]): Promise<void> {
    const n = updates.length;
    const results: (string | null | undefined)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const result = checkUpdate(i, updates[i]!);
      results[i] = result === undefined ? undefined : sqlJson(result);
    }
    if (n === 0) return void this.#write(() => this.#own(fence));
    const { list, res } = coalesce(updates, results);
    let lowestInit = Infinity;
    for (const u of list) if (u.status === INIT && u.seq < lowestInit) lowestInit = u.seq;
    this.#write(() => {
      const keys = this.#own(fence);
      if (lowestInit <= MAX_SEQ) this.#lowerClaimFrom(keys, lowestInit);
      for (const group of groups(list, res)) {
        const u = list[group[0]!]!;
        if (res[group[0]!] === undefined) this.#updateGroup(keys, u, group, list);
        else this.#updateGroupWithResults(keys, u, group, list, res);
      }
    });
  }

  async setStatus(fence: Fence, seqs: readonly number[], status: TaskStatusCode, worker: string | null): Promise<void> {
    checkStatus("status", status);
    checkWorker("worker", worker);
    let lowest = Infinity;
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i];
      if (!isSeq(seq)) checkSeq(`seqs[${i}]`, seq);
      else if (seq < lowest) lowest = seq;
    }
    this.#write(() => {
      const keys = this.#own(fence);
      if (status === INIT && lowest <= MAX_SEQ) this.#lowerClaimFrom(keys, lowest);
      this.#inLists("set-status", [status, worker], keys, seqs.length, (i) => seqs[i]!);
    });
  }

  async resetWorkerTasks(
    fence: Fence, worker: string, to: { status: 1; queued: boolean } | { status: 5; result: JsonValue },
  ): Promise<number> {
    expectString("worker", worker, false);
    const target = checkReset(to);
    if (target.status === INIT) {
      const queued = target.queued ? 1 : 0;
      return this.#write(() => {
        const keys = this.#own(fence);
        const seqs = this.#stmt("reset-worker-tasks-to-init").pluck().all(queued, keys.low, keys.high, worker) as number[];
        if (queued === 0 && seqs.length > 0) {
          let lowest = seqs[0]!;
          for (const seq of seqs) if (seq < lowest) lowest = seq;
          this.#lowerClaimFrom(keys, lowest);
        }
        return seqs.length;
      });
    }
    const result = sqlJson(target.result);
    return this.#write(() => {
      const keys = this.#own(fence);
      return this.#stmt("reset-worker-tasks-to-failed").run(result, keys.low, keys.high, worker).changes;
    });
  }

  async failUnfinished(fence: Fence, result: JsonValue): Promise<number> {
    const text = toJson("result", result);
    return this.#write(() => {
      const keys = this.#own(fence);
      return this.#stmt("fail-unfinished").run(text, keys.low, keys.high).changes;
    });
  }

  async resetForResume(fence: Fence, failover: boolean, result: JsonValue): Promise<void> {
    expectBoolean("failover", failover);
    const text = toJson("result", result);
    this.#write(() => {
      const keys = this.#own(fence);
      this.#stmt("reset-for-resume-unqueue").run(keys.low, keys.high);
      this.#lowerClaimFrom(keys, 0);
      if (failover) this.#stmt("reset-for-resume-failover").run(keys.low, keys.high);
      else this.#stmt("reset-for-resume-fail").run(text, keys.low, keys.high);
    });
  }

  async claimInit(fence: Fence, limit: number): Promise<TaskRow[]> {
    expectInt("limit", limit, 0);
    const rows = this.#write(() => {
      const keys = this.#own(fence);
      if (limit === 0) return [];
      const from = this.#stmt("get-claim-from").pluck().get(keys.num) as number;
      if (from > MAX_SEQ) return [];
      const found = this.#stmt("claim-init").raw().all(keys.id(from), keys.high, limit) as ClaimColumns[];
      // Every claimable task from `from` up to the last one read is in `found`: mark that range.
      if (found.length > 0) this.#stmt("claim-init-mark").run(keys.id(from), keys.id(found[found.length - 1]![0]));
      const next = found.length === limit ? found[found.length - 1]![0] + 1 : MAX_SEQ + 1;
      this.#stmt("set-claim-from").run(next, keys.num);
      return found;
    });
    const out: TaskRow[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [seq, taskId, parentId, name, body, status, attempt, worker, result] = rows[i]!;
      out[i] = { seq, taskId, parentId, name, body: fromJson(body), status, attempt, worker, result: fromJson(result) };
    }
    return out;
  }

  async countByStatus(instanceId: string): Promise<StatusCount[]> {
    const keys = this.#keysOf(instanceId);
    if (!keys) return [];
    return this.#stmt("count-by-status").all(keys.low, keys.high) as StatusCount[];
  }

  async maxSeq(instanceId: string): Promise<number> {
    const keys = this.#keysOf(instanceId);
    if (!keys) return -1;
    const seq = this.#stmt("max-seq").pluck().get(keys.low, keys.high) as number | null;
    return seq ?? -1;
  }

  async getTask(instanceId: string, taskId: string): Promise<TaskRow | null> {
    const keys = this.#keysOf(instanceId);
    if (!keys) return null;
    const row = this.#stmt("get-task").get(keys.num, taskId) as TaskColumns | undefined;
    return row ? taskRow(row) : null;
  }

  /** @param pageSize rows read at a time. @default 1000 */
  results(instanceId: string, pageSize: number = DEFAULT_PAGE_SIZE): AsyncIterable<ResultRow> {
    expectInt("pageSize", pageSize, 1);
    return this.#pages(instanceId, pageSize);
  }

  async clearTasks(fence: Fence): Promise<void> {
    this.#write(() => {
      const keys = this.#own(fence);
      this.#stmt("clear-tasks").run(keys.low, keys.high);
      this.#stmt("set-claim-from").run(0, keys.num);
    });
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  // ------------------------------------------------------------------ helpers

  /** Each page is one statement run to completion: nothing stays open while the reader works between pages. */
  async *#pages(instanceId: string, pageSize: number): AsyncGenerator<ResultRow> {
    const keys = this.#keysOf(instanceId);
    if (!keys) return;
    const page = this.#stmt("results-page").raw();
    let after = typeof keys.low === "bigint" ? keys.low - 1n : keys.low - 1;
    for (;;) {
      const rows = page.all(after, keys.high, pageSize) as Array<[number, string, string, TaskStatusCode, string | null]>;
      if (rows.length === 0) return;
      after = keys.id(rows[rows.length - 1]![0]);
      const out: ResultRow[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const [, taskId, name, status, result] = rows[i]!;
        out[i] = { taskId, name, status, result: fromJson(result) };
      }
      yield* out;
      if (rows.length < pageSize) return;
    }
  }

  /** Runs `fn` in one IMMEDIATE transaction (a savepoint inside one already open). */
  #write<T>(fn: () => T): T {
    return this.#tx.immediate(fn) as T;
  }

  /** Tasks from `seq` on may have become claimable: claimInit must look from there again. */
  #lowerClaimFrom(keys: TaskKeys, seq: number): void {
    this.#stmt("lower-claim-from").run(seq, keys.num);
  }

  /** Checks, inside the running transaction, that `fence` is its instance's current token. */
  #own(fence: Fence): TaskKeys {
    const keys = this.#keysOf(fence.instanceId);
    if (!keys) throw new UnknownInstanceError(fence.instanceId);
    const current = this.#stmt("get-fence").pluck().get(keys.num) as number;
    if (fence.token !== current) throw new FencedError(fence.instanceId, fence.token, current);
    return keys;
  }

  #keysOf(instanceId: string): TaskKeys | null {
    const known = this.#keys.get(instanceId);
    if (known) return known;
    if (typeof instanceId !== "string") return null;
    const num = this.#stmt("get-instance-num").pluck().get(instanceId) as number | undefined;
    return num === undefined ? null : this.#remember(instanceId, num);
  }

  #remember(instanceId: string, num: number): TaskKeys {
    if (this.#keys.size >= KEY_CACHE) this.#keys.clear();
    const keys = new TaskKeys(num);
    this.#keys.set(instanceId, keys);
    return keys;
  }

  /** The prepared statement `name`, or its form with the repeated parts written `rows` times. */
  #stmt(name: StatementName, rows = 0): Statement {
    const key = rows === 0 ? name : `${name}/${rows}`;
    let stmt = this.#stmts.get(key);
    if (!stmt) {
      stmt = this.#db.prepare(rows === 0 ? this.#sql[name] : repeatParts(this.#sql[name], rows));
      this.#stmts.set(key, stmt);
    }
    return stmt;
  }

  /** The reusable bind array of a statement form. */
  #argsOf(key: string, length: number): unknown[] {
    let args = this.#args.get(key);
    if (!args) this.#args.set(key, args = new Array(length));
    return args;
  }

  /**
   * Multi-row INSERTs of the tasks at `order` (every task when null). A row
   * skipped (its taskId or its seq was taken) throws SKIPPED, or, given a
   * `skipped` list, is added to it by its index (the INSERTs then name the
   * rows they stored: only the slow path pays for that).
   */
  #insertRows(
    keys: TaskKeys, tasks: readonly NewTask[], bodies: readonly (string | null)[], order: readonly number[] | null,
    skipped: number[] | null,
  ): void {
    const n = order === null ? tasks.length : order.length;
    for (let from = 0; from < n;) {
      const rows = floorPow2(Math.min(INSERT_ROWS, n - from));
      const args = this.#argsOf(`insert/${rows}`, rows * 7);
      for (let j = 0, o = 0; j < rows; j++, o += 7) {
        const i = order === null ? from + j : order[from + j]!;
        const t = tasks[i]!;
        args[o] = keys.id(t.seq);
        args[o + 1] = keys.num;
        args[o + 2] = t.taskId;
        args[o + 3] = t.parentId;
        args[o + 4] = t.name;
        args[o + 5] = bodies[i];
        args[o + 6] = t.queued ? 1 : 0;
      }
      if (skipped === null) {
        if (this.#stmt("insert-tasks", rows).run(args).changes !== rows) throw SKIPPED;
      } else {
        const inserted = this.#stmt("insert-tasks-returning", rows).pluck().all(args) as string[];
        if (inserted.length !== rows) {
          const got = new Set(inserted);
          for (let j = 0; j < rows; j++) {
            const i = order === null ? from + j : order[from + j]!;
            if (!got.has(tasks[i]!.taskId)) skipped.push(i);
          }
        }
      }
      from += rows;
    }
  }

  /**
   * Inserts the first task of each taskId in the batch (a repeat is 0) and
   * tells which are stored under their seq: those inserted now, and of those
   * skipped, the ones whose taskId is found (one read per IN_LIST of them)
   * under their own seq. A skipped taskId not found lost its seq to another
   * task: refused.
   */
  #insertAndLook(keys: TaskKeys, tasks: readonly NewTask[], bodies: readonly (string | null)[]): Uint8Array {
    const order = firstOfEachTaskId(tasks);
    const skipped: number[] = [];
    this.#insertRows(keys, tasks, bodies, order, skipped);
    const mask = new Uint8Array(tasks.length);
    if (order === null) mask.fill(1);
    else for (const i of order) mask[i] = 1;
    const stored = this.#seqsOf(keys, skipped.map((i) => tasks[i]!.taskId));
    for (const i of skipped) {
      const t = tasks[i]!;
      const seq = stored.get(t.taskId);
      if (seq === undefined) throw new ValidationError(`tasks[${i}].seq`, "a seq no other task holds", t.seq);
      if (seq !== t.seq) mask[i] = 0;
    }
    return mask;
  }

  /** The seq each of `taskIds` is stored under (absent: not stored): IN lists of IN_LIST ids, padded like #inLists'. */
  #seqsOf(keys: TaskKeys, taskIds: readonly string[]): Map<string, number> {
    const out = new Map<string, number>();
    for (let i = 0; i < taskIds.length;) {
      const size = ceilPow2(Math.min(IN_LIST, taskIds.length - i));
      const args = this.#argsOf(`seq-of/${size}`, 1 + size);
      args[0] = keys.num;
      let filled = 0;
      while (filled < size && i < taskIds.length) args[1 + filled++] = taskIds[i++];
      for (let k = filled; k < size; k++) args[1 + k] = args[filled];
      const rows = this.#stmt("get-task-seqs", size).raw().all(args) as [string, number][];
      for (const [taskId, seq] of rows) out.set(taskId, seq);
    }
    return out;
  }

  /**
   * Runs `name` (its parameters: `head`, then an IN list of ids) over `count`
   * seqs: lists of IN_LIST ids, the last one padded to a power of two by
   * repeating its last id. Seqs past MAX_SEQ are never stored: skipped.
   */
  #inLists(name: StatementName, head: readonly unknown[], keys: TaskKeys, count: number, seqAt: (i: number) => number): void {
    const h = head.length;
    let i = 0;
    while (i < count) {
      const size = ceilPow2(Math.min(IN_LIST, count - i));
      const args = this.#argsOf(`${name}/${size}`, h + size);
      for (let k = 0; k < h; k++) args[k] = head[k];
      let filled = 0;
      while (filled < size && i < count) {
        const seq = seqAt(i++);
        if (seq <= MAX_SEQ) args[h + filled++] = keys.id(seq);
      }
      if (filled === 0) continue;
      for (let k = filled; k < size; k++) args[h + k] = args[h + filled - 1];
      this.#stmt(name, size).run(args);
    }
  }

  /** One group of like updates without results: IN lists. */
  #updateGroup(keys: TaskKeys, u: StatusUpdate, group: readonly number[], list: readonly StatusUpdate[]): void {
    this.#inLists("update-statuses", [u.status, u.attempt, u.worker], keys, group.length, (i) => list[group[i]!]!.seq);
  }

  /** One group of like updates, each with its result: CASE updates of CASE_ROWS rows, padded like IN lists. */
  #updateGroupWithResults(
    keys: TaskKeys, u: StatusUpdate, group: readonly number[], list: readonly StatusUpdate[],
    res: readonly (string | null | undefined)[],
  ): void {
    const count = group.length;
    let i = 0;
    while (i < count) {
      const size = ceilPow2(Math.min(CASE_ROWS, count - i));
      const args = this.#argsOf(`case/${size}`, 3 + 3 * size);
      args[0] = u.status;
      args[1] = u.attempt;
      args[2] = u.worker;
      let filled = 0;
      while (filled < size && i < count) {
        const k = group[i++]!;
        const seq = list[k]!.seq;
        if (seq > MAX_SEQ) continue;
        const id = keys.id(seq);
        args[3 + 2 * filled] = id;
        args[4 + 2 * filled] = res[k];
        args[3 + 2 * size + filled] = id;
        filled++;
      }
      if (filled === 0) continue;
      for (let k = filled; k < size; k++) {
        args[3 + 2 * k] = args[1 + 2 * filled];
        args[4 + 2 * k] = args[2 + 2 * filled];
        args[3 + 2 * size + k] = args[2 + 2 * size + filled];
      }
      this.#stmt("update-statuses-with-results", size).run(args);
    }
  }
}

/**
 * One update per seq, as applying them in order would leave it: the last
 * update's status, attempt and worker, and the last result given. Batches
 * in strictly ascending seq order (no repeats possible) pass through.
 */
function coalesce(
  updates: readonly StatusUpdate[], results: (string | null | undefined)[],
): { list: readonly StatusUpdate[]; res: (string | null | undefined)[] } {
  let ascending = true;
  for (let i = 1; i < updates.length; i++) {
    if (updates[i]!.seq <= updates[i - 1]!.seq) {
      ascending = false;
      break;
    }
  }
  if (ascending) return { list: updates, res: results };
  const at = new Map<number, number>();
  const list: StatusUpdate[] = [];
  const res: (string | null | undefined)[] = [];
  for (let i = 0; i < updates.length; i++) {
    const u = updates[i]!;
    const k = at.get(u.seq);
    if (k === undefined) {
      at.set(u.seq, list.length);
      list.push(u);
      res.push(results[i]);
    } else {
      list[k] = u;
      if (results[i] !== undefined) res[k] = results[i];
    }
  }
  return { list, res };
}

/** Indexes of `list` grouped by (status, attempt, worker, has a result); one group when all alike (the usual batch). */
function groups(list: readonly StatusUpdate[], res: readonly (string | null | undefined)[]): number[][] {
  const first = list[0]!;
  const withResult = res[0] !== undefined;
  let alike = true;
  for (let i = 1; i < list.length; i++) {
    const u = list[i]!;
    if (u.status !== first.status || u.attempt !== first.attempt || u.worker !== first.worker || (res[i] !== undefined) !== withResult) {
      alike = false;
      break;
    }
  }
  if (alike) return [Array.from({ length: list.length }, (_, i) => i)];
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < list.length; i++) {
    const u = list[i]!;
    const key = `${u.status}|${u.attempt}|${res[i] === undefined ? 0 : 1}|${u.worker === null ? "" : "w" + u.worker}`;
    const group = byKey.get(key);
    if (group) group.push(i);
    else byKey.set(key, [i]);
  }
  return [...byKey.values()];
}
