/**
 * The SQLite store on a thread of its own. better-sqlite3 runs SQLite on the
 * calling thread, so in one thread the master's HTTP, JSON and dispatch wait
 * while SQLite writes; here a worker thread owns the SqliteStore and the
 * master's thread only posts calls to it. Same TaskStore contract (the
 * conformance suite in test/store/conformance/ runs against it), same file format, same errors (their
 * classes are rebuilt on this side: wire-errors.ts).
 *
 * Calls run in the order they are made, and the thread tries each write up
 * to `writeAttempts` times before it runs the next (B11), so a caller may
 * make the next write before the last one answered: the master's write
 * chain sends its writes without a round trip each (`writeAttempts` tells
 * it so). The hot calls' data crosses as text and transferred buffers
 * (thread-wire.ts), not as cloned objects.
 * Figures: bench/notes/e2e.md, "SQLite on a thread of its own".
 */
import { Worker } from "node:worker_threads";
import type { JsonValue } from "../../../src/protocol/messages.ts";
import type {
  DispatchRecord, Fence, InstancePatch, LeaseTerms, InstanceRecord, NewInstance, NewTask, ResultRow, StatusCount,
  StatusUpdate, StoredDispatch, TaskQuery, TaskRow, TaskStore, InstanceFilter,
} from "../../../src/store/task-store.ts";
import { fromWire, type WireError } from "./wire-errors.ts";
import { DEFAULT_SQLITE_FILE } from "./sqlite-file.ts";
import { expectInt } from "../../../src/errors/validate.ts";
import { packDispatch } from "../../../src/store/dispatch-records.ts";
import { pageRows } from "../../../src/store/page-rows.ts";
import { packTasks, packUpdates, readClaim, readResults } from "./thread-wire.ts";

/** A call to the store thread. */
export interface StoreCall {
  id: number;
  method: string;
  args: unknown[];
}

/** The thread's answer to a call (id 0: the store opened, or failed to). */
export type StoreReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

/**
 * Calls cross in batches: all those made in one turn of the event loop go as
 * one message. A message to a thread that waits costs ~20 µs of waking it,
 * more than most calls' data.
 */
export type StoreCalls = StoreCall[];
/** Answers, in the order of the calls: the thread sends each call's (or a merged write's) as soon as it is done. */
export type StoreReplies = StoreReply[];

/** Options of a threaded store. */
export interface ThreadedSqliteOptions {
  /**
   * The compiled thread entry (store-thread.js). Node runs threads from
   * JavaScript only, so under a TypeScript test runner pass the built file.
   * @default store-thread.js beside this module
   */
  threadEntry?: string | URL;
  /** How long SQLite waits for a lock before "database is locked", in ms (B34). @default 5000 */
  busyTimeoutMs?: number;
  /** Times the thread tries a write of the master's write chain before it answers with its error (B11). @default 3 */
  writeAttempts?: number;
}

/** `writeAttempts` when not given: the write chain's own count (B11). */
const DEFAULT_WRITE_ATTEMPTS = 3;

/** Rows per page of `results` when not told. */
const DEFAULT_PAGE_SIZE = 1000;

/** A TaskStore whose SQLite work runs on a worker thread; open it with `ThreadedSqliteStore.open`. */
export class ThreadedSqliteStore implements TaskStore {
  readonly kind = "sqlite";
  /** The absolute path of the database file. */
  readonly file: string;
  /** The thread runs writes in call order and tries each this many times: callers need not wait for one to make the next. */
  readonly writeAttempts: number;
  readonly #thread: Worker;
  readonly #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 1;
  #cursors = 0;
  #dead: Error | null = null;
  /** Calls made this turn, posted together once it ends; the buffers they hand over. */
  #outbox: StoreCall[] = [];
  #transfer: ArrayBuffer[] = [];

  private constructor(thread: Worker, file: string, writeAttempts: number) {
    this.#thread = thread;
    this.file = file;
    this.writeAttempts = writeAttempts;
    thread.on("message", (replies: StoreReplies) => {
      for (const r of replies) {
        const w = this.#waiting.get(r.id);
        if (!w) continue;
        this.#waiting.delete(r.id);
        if (r.ok) w.resolve(r.value);
        else w.reject(fromWire(r.error));
      }
    });
    const fail = (e: Error) => {
      this.#dead = e;
      for (const w of this.#waiting.values()) w.reject(e);
      this.#waiting.clear();
    };
    thread.on("error", fail);
    thread.on("exit", (code) => fail(new Error(`the SQLite store thread exited (code ${code})`)));
  }

  /**
   * Opens the SQLite file (created when missing) on a new thread; rejects as
   * `new SqliteStore(file)` would (SqliteOpenError, ValidationError).
   */
  static open(file: string = DEFAULT_SQLITE_FILE, o: ThreadedSqliteOptions = {}): Promise<ThreadedSqliteStore> {
    let writeAttempts: number;
    try {
      writeAttempts = expectInt("writeAttempts", o.writeAttempts ?? DEFAULT_WRITE_ATTEMPTS, 1, 100);
    } catch (e) {
      return Promise.reject(e);
    }
    const entry = o.threadEntry ?? new URL("./store-thread.js", import.meta.url);
    const thread = new Worker(entry, { workerData: { file, busyTimeoutMs: o.busyTimeoutMs, writeAttempts } });
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => { thread.off("message", onReady); reject(e); };
      const onReady = ([r]: StoreReplies) => {
        if (r?.id !== 0) return;
        thread.off("message", onReady);
        thread.off("error", onError);
        if (r.ok) resolve(new ThreadedSqliteStore(thread, r.value as string, writeAttempts));
        else { void thread.terminate(); reject(fromWire(r.error)); }
      };
      thread.on("message", onReady);
      thread.once("error", onError);
    });
  }

  #call<T>(method: string, args: unknown[], transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#outbox.push({ id, method, args });
      for (const b of transfer) this.#transfer.push(b);
      if (this.#outbox.length === 1) setImmediate(this.#flush);
    });
  }

  /** Posts the calls made this turn as one message. */
  readonly #flush = (): void => {
    const calls = this.#outbox;
    const transfer = this.#transfer;
    this.#outbox = [];
    this.#transfer = [];
    if (this.#dead) {
      for (const c of calls) this.#waiting.get(c.id)?.reject(this.#dead);
      return;
    }
    try {
      this.#thread.postMessage(calls satisfies StoreCalls, transfer);
    } catch {
      // A call whose arguments cannot be cloned (DataCloneError) fails alone; the others go one by one, copied.
      for (const c of calls) {
        try {
          this.#thread.postMessage([c] satisfies StoreCalls);
        } catch (e) {
          const w = this.#waiting.get(c.id);
          this.#waiting.delete(c.id);
          w?.reject(e as Error);
        }
      }
    }
  };

  createInstance(instance: NewInstance, owner: string, lease?: LeaseTerms): Promise<Fence> { return this.#call("createInstance", [instance, owner, lease]); }
  acquireInstance(instanceId: string, owner: string, lease?: LeaseTerms): Promise<Fence> { return this.#call("acquireInstance", [instanceId, owner, lease]); }
  renewLeases(owner: string, fences: readonly Fence[], lease: LeaseTerms): Promise<string[]> { return this.#call("renewLeases", [owner, fences, lease]); }
  expiredInstances(now: number, limit?: number): Promise<InstanceRecord[]> { return this.#call("expiredInstances", [now, limit]); }
  getInstance(instanceId: string): Promise<InstanceRecord | null> { return this.#call("getInstance", [instanceId]); }
  listInstances(filter?: InstanceFilter): Promise<InstanceRecord[]> { return this.#call("listInstances", [filter]); }
  updateInstance(fence: Fence, patch: InstancePatch): Promise<void> { return this.#call("updateInstance", [fence, patch]); }

  /** Checked here (the store's own checks and errors), sent packed: see thread-wire.ts. */
  async insertTasks(fence: Fence, tasks: readonly NewTask[]): Promise<Uint8Array> {
    const p = packTasks(tasks);
    return this.#call("insertPacked", [fence, p], [p.num.buffer as ArrayBuffer]);
  }

  /** Checked here (the store's own checks and errors), sent packed: see thread-wire.ts. */
  async updateStatuses(fence: Fence, updates: readonly StatusUpdate[]): Promise<void> {
    const p = packUpdates(updates);
    return this.#call("updatePacked", [fence, p], [p.num.buffer as ArrayBuffer]);
  }


  failUnfinished(fence: Fence, result: JsonValue): Promise<number> { return this.#call("failUnfinished", [fence, result]); }
  resetForResume(fence: Fence, failover: boolean, result: JsonValue): Promise<void> { return this.#call("resetForResume", [fence, failover, result]); }
  retryFailed(fence: Fence): Promise<number> { return this.#call("retryFailed", [fence]); }

  /** The claimed rows come back as one JSON text (thread-wire.ts). */
  async claimInit(fence: Fence, limit: number): Promise<TaskRow[]> {
    return readClaim(await this.#call<string>("claimText", [fence, limit]));
  }

  countByStatus(instanceId: string): Promise<StatusCount[]> { return this.#call("countByStatus", [instanceId]); }
  maxSeq(instanceId: string): Promise<number> { return this.#call("maxSeq", [instanceId]); }
  getTask(instanceId: string, taskId: string): Promise<TaskRow | null> { return this.#call("getTask", [instanceId, taskId]); }
  listTasks(instanceId: string, q: TaskQuery): Promise<TaskRow[]> { return this.#call("listTasks", [instanceId, q]); }

  /** Checked and packed here, as the store packs it to store it. */
  async recordDispatch(fence: Fence, record: DispatchRecord): Promise<void> {
    const p = packDispatch(record);
    if (p !== null) return this.#call("recordPacked", [fence, p]);
  }

  listDispatches(instanceId: string, afterId: number, limit: number): Promise<StoredDispatch[]> {
    return this.#call("listDispatches", [instanceId, afterId, limit]);
  }
  replaceDispatches(fence: Fence, records: readonly DispatchRecord[]): Promise<void> { return this.#call("replaceDispatches", [fence, records]); }
  clearTasks(fence: Fence): Promise<void> { return this.#call("clearTasks", [fence]); }
  sweepRetained(now: number, limit?: number): Promise<number> { return this.#call("sweepRetained", [now, limit]); }

  /**
   * Every task's result in seq order, a page per message as one JSON text;
   * the next page is asked for while the reader goes through this one, so
   * at most two pages are held and memory stays bounded (X4).
   */
  results(instanceId: string, pageSize: number = DEFAULT_PAGE_SIZE): AsyncIterable<ResultRow> {
    expectInt("pageSize", pageSize, 1);
    type Page = { text: string; done: boolean };
    const call = <T>(method: string, args: unknown[]) => this.#call<T>(method, args);
    const cursor = ++this.#cursors;
    return pageRows({
      async *[Symbol.asyncIterator]() {
        await call("resultsOpen", [cursor, instanceId, pageSize]);
        let next: Promise<Page> | null = call<Page>("resultsNext", [cursor]);
        try {
          while (next !== null) {
            const page: Page = await next;
            next = page.done ? null : call<Page>("resultsNext", [cursor]);
            yield readResults(page.text);
          }
        } finally {
          if (next !== null) {
            await next.catch(() => undefined);
            await call("resultsClose", [cursor]);
          }
        }
      },
    });
  }

  /** Closes the file and ends the thread. */
  async close(): Promise<void> {
    if (this.#dead) return;
    await this.#call("close", []);
    await this.#thread.terminate();
  }
}
