/**
 * What every SqliteStore call shares: the open database, its statements
 * prepared once (and their repeated forms once per size), reusable bind
 * arrays, the instance num cache, the transaction runner and the fencing
 * check every write makes inside its transaction.
 */
import type Database from "better-sqlite3";
import { FencedError, UnknownInstanceError } from "../../../src/store/errors.ts";
import type { Fence } from "../../../src/store/task-store.ts";
import { readStatement, repeatParts } from "./sql-files.ts";
import { MAX_SEQ, TaskKeys } from "./task-key.ts";

/** Ids per `IN (…)` list; a shorter list is padded to a power of two by repeating its last id. */
export const IN_LIST = 512;
/** Instance keys remembered; nums never change, so this only bounds memory. */
const KEY_CACHE = 10_000;

/** The statements, by `.sql` file name. */
const STATEMENTS = [
  "create-instance", "acquire-instance", "get-lease", "renew-leases", "expired-instances", "get-instance",
  "list-instances", "list-instances-by-status", "list-instances-page", "get-instance-num",
  "get-fence", "update-instance", "get-claim-from", "hold-claimed", "hold-claimed-rows", "lowest-released", "set-claim-from",
  "insert-tasks", "insert-tasks-returning", "get-task-seqs", "update-statuses", "update-statuses-with-results",
  "update-statuses-failure", "fail-unfinished", "reset-for-resume-failover",
  "reset-for-resume-fail", "reset-for-resume-unqueue", "retry-failed", "retry-failed-lowest", "claim-init", "claim-init-failures",
  "count-by-status", "max-seq", "get-task", "list-tasks", "results-page", "clear-tasks", "sweep-retained-due", "sweep-retained-release",
  "record-dispatch", "list-dispatches", "clear-dispatches",
] as const;

/** The name of one statement file. */
export type StatementName = (typeof STATEMENTS)[number];

type Statement = Database.Statement<unknown[], unknown>;

/** Largest power of two <= n (n >= 1). */
export function floorPow2(n: number): number {
  return 2 ** Math.floor(Math.log2(n));
}

/** Smallest power of two >= n (n >= 1). */
export function ceilPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}

/** One open SQLite store's database and statements. */
export class SqliteDb {
  /** The open database, migrated. */
  readonly db: Database.Database;
  readonly #sql: Record<StatementName, string>;
  /** Prepared statements: by name, and by `name/rows` for the repeated forms. */
  readonly #stmts = new Map<string, Statement>();
  /** Bind arrays, reused per statement form: the hot paths allocate none. */
  readonly #args = new Map<string, unknown[]>();
  /** instanceId → its task ids; an instance's num never changes. */
  readonly #keys = new Map<string, TaskKeys>();
  /** Runs a function in a transaction (IMMEDIATE when outermost, a savepoint when nested). */
  readonly #tx: Database.Transaction<(fn: () => unknown) => unknown>;

  /** Reads the statements of a migrated database. */
  constructor(db: Database.Database) {
    this.db = db;
    this.#sql = Object.fromEntries(STATEMENTS.map((name) => [name, readStatement(name)])) as Record<StatementName, string>;
    this.#tx = db.transaction((fn: () => unknown) => fn());
  }

  /** Runs `fn` in one IMMEDIATE transaction (a savepoint inside one already open). */
  write<T>(fn: () => T): T {
    return this.#tx.immediate(fn) as T;
  }

  /** Runs `fn` in a savepoint of the running transaction: a throw undoes only what `fn` did. */
  savepoint<T>(fn: () => T): T {
    return this.#tx(fn) as T;
  }

  /** Checks, inside the running transaction, that `fence` is its instance's current token. */
  own(fence: Fence): TaskKeys {
    const keys = this.keysOf(fence.instanceId);
    if (!keys) throw new UnknownInstanceError(fence.instanceId);
    const current = this.stmt("get-fence").pluck().get(keys.num) as number;
    if (fence.token !== current) throw new FencedError(fence.instanceId, fence.token, current);
    return keys;
  }

  /** The task ids of an instance, or null when there is no such instance. */
  keysOf(instanceId: string): TaskKeys | null {
    const known = this.#keys.get(instanceId);
    if (known) return known;
    if (typeof instanceId !== "string") return null;
    const num = this.stmt("get-instance-num").pluck().get(instanceId) as number | undefined;
    return num === undefined ? null : this.remember(instanceId, num);
  }

  /** Caches the num of an instance. */
  remember(instanceId: string, num: number): TaskKeys {
    if (this.#keys.size >= KEY_CACHE) this.#keys.clear();
    const keys = new TaskKeys(num);
    this.#keys.set(instanceId, keys);
    return keys;
  }

  /**
   * Tasks from `seq` on may become claimable: claimInit must look from there
   * again. Call it before the write that makes them so. A claim marks no row
   * — every unqueued INIT task below claim_from is one it handed out — so
   * before claim_from moves back, the tasks claimed in between are marked
   * queued: they stay held, and only the write that follows makes tasks
   * claimable there. Nothing moves when claim_from is at or below `seq`
   * (a map inserting above what was claimed: the usual case).
   */
  lowerClaimFrom(keys: TaskKeys, seq: number): void {
    const from = this.stmt("get-claim-from").pluck().get(keys.num) as number;
    if (seq >= from) return;
    this.stmt("hold-claimed").run(keys.id(seq), keys.id(Math.min(from, MAX_SEQ + 1) - 1));
    this.stmt("set-claim-from").run(seq, keys.num);
  }

  /** The prepared statement `name`, or its form with the repeated parts written `rows` times. */
  stmt(name: StatementName, rows = 0): Statement {
    const key = rows === 0 ? name : `${name}/${rows}`;
    let stmt = this.#stmts.get(key);
    if (!stmt) {
      stmt = this.db.prepare(rows === 0 ? this.#sql[name] : repeatParts(this.#sql[name], rows));
      this.#stmts.set(key, stmt);
    }
    return stmt;
  }

  /** The reusable bind array of a statement form. */
  argsOf(key: string, length: number): unknown[] {
    let args = this.#args.get(key);
    if (!args) this.#args.set(key, args = new Array(length));
    return args;
  }

  /**
   * Runs `name` (its parameters: `head`, then an IN list of ids) over `count`
   * seqs: lists of IN_LIST ids, the last one padded to a power of two by
   * repeating its last id. Seqs past MAX_SEQ are never stored: skipped.
   */
  inLists(name: StatementName, head: readonly unknown[], keys: TaskKeys, count: number, seqAt: (i: number) => number): void {
    const h = head.length;
    let i = 0;
    while (i < count) {
      const size = ceilPow2(Math.min(IN_LIST, count - i));
      const args = this.argsOf(`${name}/${size}`, h + size);
      for (let k = 0; k < h; k++) args[k] = head[k];
      let filled = 0;
      while (filled < size && i < count) {
        const seq = seqAt(i++);
        if (seq <= MAX_SEQ) args[h + filled++] = keys.id(seq);
      }
      if (filled === 0) continue;
      for (let k = filled; k < size; k++) args[h + k] = args[h + filled - 1];
      this.stmt(name, size).run(args);
    }
  }
}
