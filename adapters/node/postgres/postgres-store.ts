/**
 * The PostgreSQL TaskStore: every method is one SQL statement (from `sql/`),
 * so each call is atomic without a client-side transaction, and a batch is
 * one round trip whatever its size — columns travel as array parameters
 * (`unnest($3::bigint[], ...)`), updates join them on the primary key.
 *
 * Fencing: every write statement first takes a FOR KEY SHARE lock on the
 * instance row and checks the token there, in the same statement. An
 * acquisition locks the row FOR UPDATE, so it waits for the writes in flight
 * and every later write of the deposed owner sees the new token and changes
 * nothing. The statement hands the token it found back, which tells an
 * unknown instance (no row) from a stale token.
 */
import type { Sql } from "postgres";
import { expectInt } from "../../../src/errors/validate.ts";
import { ValidationError } from "../../../src/errors/validation-error.ts";
import type { JsonValue } from "../../../src/protocol/messages.ts";
import { DuplicateInstanceError, FencedError, LeaseHeldError, UnknownInstanceError } from "../../../src/store/errors.ts";
import type {
  DispatchRecord, Fence, InstancePatch, InstanceRecord, LeaseTerms, NewInstance, NewTask, ResultRow, StatusCount,
  StatusUpdate, StoredDispatch, TaskQuery, TaskRow, TaskStore, InstanceFilter,
} from "../../../src/store/task-store.ts";
import {
  checkExpiredQuery, checkFences, checkLease, checkListFilter, checkNewInstance, checkNewTask, checkPatch,
  checkSweep, checkTaskQuery, checkUpdate, checkUpdateFailure, decodeJson, encodeJson, expectBoolean,
  expectString, firstOfEachTaskId, requireLease, type UpdateFailure,
} from "../../../src/store/input.ts";
import { checkDispatchPage, packDispatch, packDispatches, type PackedDispatch, unpackDispatch } from "../../../src/store/dispatch-records.ts";
import { boolArray, floatArray, intArray, nullableIntArray, textArray } from "./pg-arrays.ts";
import { seqOfKeyViolation, sqlState, violated } from "./sql-errors.ts";
import {
  record, taskError, taskRow, type FenceRow, type InstanceSqlRow, type ResultSqlRow, type TaskSqlRow,
} from "./sql-rows.ts";
import type { StatementName, Statements } from "./statements.ts";
import { pageRows } from "../../../src/store/page-rows.ts";

/** Rows `results` reads at a time unless told. */
const DEFAULT_PAGE_SIZE = 1000;
/** Largest attempt (or failures) the `integer` column holds. */
const MAX_ATTEMPT = 2_147_483_647;
/** A statement that lost a deadlock is run again this many times: it changed nothing. */
const DEADLOCK_RETRIES = 3;
/** An insert that lost a race for a task id to a concurrent one is run again this many times. */
const INSERT_RETRIES = 5;

type Param = string | number | boolean | null;

/** The instance id of a fence as a text parameter; anything else names no instance. */
function instanceIdOf(fence: Fence): string {
  if (typeof fence?.instanceId !== "string") throw new UnknownInstanceError(String(fence?.instanceId));
  return fence.instanceId;
}

/** The token as a float8 parameter: a non-integer token is simply never the current one. */
function tokenOf(fence: Fence): number {
  return typeof fence.token === "number" ? fence.token : Number.NaN;
}

/**
 * A TaskStore in one schema of a PostgreSQL database. Open it with
 * `openPostgresStore(url)`, which migrates the schema first.
 */
export class PostgresStore implements TaskStore {
  readonly kind = "postgres";
  /** The PostgreSQL schema holding this store's tables. */
  readonly schema: string;
  /** Connection pool; its search_path is `schema`. */
  readonly #sql: Sql;
  readonly #statements: Statements;

  /** Use `openPostgresStore`: it checks the URL, connects and migrates the schema. */
  constructor(sql: Sql, statements: Statements, schema: string) {
    this.#sql = sql;
    this.#statements = statements;
    this.schema = schema;
  }

  async createInstance(instance: NewInstance, owner: string, lease?: LeaseTerms): Promise<Fence> {
    const c = checkNewInstance(instance, owner);
    const terms = checkLease(lease);
    const instanceId = c.instanceId;
    const params: Param[] = [
      instanceId, c.processor, c.settings, c.params, c.serialNum, c.createdAt, c.owner, terms?.until ?? null, c.startedAt,
    ];
    const rows = await this.#run<FenceRow>("create-instance", params);
    if (rows.length === 0) throw new DuplicateInstanceError(instanceId);
    return { instanceId, token: rows[0]!.fence };
  }

  async acquireInstance(instanceId: string, owner: string, lease?: LeaseTerms): Promise<Fence> {
    expectString("owner", owner);
    const terms = checkLease(lease);
    if (typeof instanceId !== "string") throw new UnknownInstanceError(String(instanceId));
    const rows = await this.#run<{ owner: string; lease_until: number | null; taken: number | null }>(
      "acquire-instance", [instanceId, owner, terms?.now ?? null, terms?.until ?? null]);
    if (rows.length === 0) throw new UnknownInstanceError(instanceId);
    const row = rows[0]!;
    if (row.taken === null) throw new LeaseHeldError(instanceId, row.owner, row.lease_until ?? 0);
    return { instanceId, token: row.taken };
  }

  async renewLeases(owner: string, fences: readonly Fence[], lease: LeaseTerms): Promise<string[]> {
    expectString("owner", owner);
    const checked = checkFences(fences);
    const terms = requireLease(lease);
    if (checked.length === 0) return [];
    const rows = await this.#run<{ id: string }>("renew-leases", [
      owner, textArray(checked.map((f) => f.instanceId)), floatArray(checked.map((f) => f.token)), terms.until,
    ]);
    return rows.map((r) => r.id);
  }

  async expiredInstances(now: number, limit?: number): Promise<InstanceRecord[]> {
    const q = checkExpiredQuery(now, limit);
    const rows = await this.#run<InstanceSqlRow>("expired-instances", [q.now, q.limit ?? null]);
    return rows.map(record);
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | null> {
    if (typeof instanceId !== "string") return null;
    const rows = await this.#run<InstanceSqlRow>("get-instance", [instanceId]);
    return rows.length === 0 ? null : record(rows[0]!);
  }

  async listInstances(filter: InstanceFilter = {}): Promise<InstanceRecord[]> {
    const { status = null, processor = null, before = null, limit = null } = checkListFilter(filter);
    const rows = await this.#run<InstanceSqlRow>("list-instances", [status, limit, processor, before]);
    return rows.map(record);
  }

  async updateInstance(fence: Fence, patch: InstancePatch): Promise<void> {
    const id = instanceIdOf(fence);
    const p = checkPatch(patch);
    const rows = await this.#run<FenceRow>("update-instance", [
      id, tokenOf(fence), p.status ?? null, p.result ?? null, p.serialNum ?? null, p.finishedAt !== undefined,
      p.finishedAt ?? null, p.progress ?? null, p.failedCount ?? null, p.errors ?? null,
      p.startedAt !== undefined, p.startedAt ?? null, p.retainUntil !== undefined, p.retainUntil ?? null,
    ]);
    this.#own(fence, rows[0]);
  }

  async insertTasks(fence: Fence, tasks: readonly NewTask[]): Promise<Uint8Array> {
    const id = instanceIdOf(fence);
    const n = tasks.length;
    const bodies: string[] = new Array(n);
    for (let i = 0; i < n; i++) bodies[i] = checkNewTask(i, tasks[i]!);
    // A taskId twice in the batch: the first wins, the others are marked 0 without reaching the server.
    const sent = firstOfEachTaskId(tasks);
    const m = sent === null ? n : sent.length;
    const seqs: number[] = new Array(m);
    const taskIds: string[] = new Array(m);
    const parents: (string | null)[] = new Array(m);
    const names: string[] = new Array(m);
    const texts: string[] = new Array(m);
    const queued: boolean[] = new Array(m);
    let ats: (number | undefined)[] | null = null;
    for (let k = 0; k < m; k++) {
      const i = sent === null ? k : sent[k]!;
      const t = tasks[i]!;
      seqs[k] = t.seq;
      taskIds[k] = t.taskId;
      parents[k] = t.parentId;
      names[k] = t.name;
      texts[k] = bodies[i]!;
      queued[k] = t.queued;
      if (t.at !== undefined) (ats ??= new Array(m))[k] = t.at;
    }
    const params = [
      id, tokenOf(fence), intArray(seqs), textArray(taskIds), textArray(parents), textArray(names), textArray(texts),
      boolArray(queued), ats === null ? null : nullableIntArray(ats),
    ];
    let rows: (FenceRow & { mask: string | null })[];
    for (let attempt = 1; ; attempt++) {
      try {
        rows = await this.#run("insert-tasks", params);
        break;
      } catch (e) {
        const index = violated(e);
        // A concurrent statement stored some of these tasks first; it has
        // committed now, so the same statement run again skips them. A seq
        // that stays taken belongs to another task id: the caller's error.
        if (index === undefined) throw e;
        if (index === "tasks_pkey" && attempt > 1) {
          const seq = seqOfKeyViolation(e);
          const i = seq === undefined ? -1 : tasks.findIndex((t) => t.seq === seq);
          throw new ValidationError(i < 0 ? "tasks" : `tasks[${i}].seq`, "a seq no other task holds", seq ?? "a taken seq");
        }
        if (attempt > INSERT_RETRIES) throw e;
      }
    }
    this.#own(fence, rows[0]);
    const stored = new Uint8Array(n);
    const mask = rows[0]!.mask;
    for (let k = 0; k < m; k++) {
      if (mask === null || mask.charCodeAt(k) === 49 /* '1' */) stored[sent === null ? k : sent[k]!] = 1;
    }
    return stored;
  }

  async updateStatuses(fence: Fence, updates: readonly StatusUpdate[]): Promise<void> {
    const id = instanceIdOf(fence);
    const n = updates.length;
    const results: (string | null)[] = new Array(n);
    let failures: (UpdateFailure | undefined)[] | null = null;
    let withAt = false;
    const seen = new Set<number>();
    let repeated = false;
    for (let i = 0; i < n; i++) {
      const u = updates[i]!;
      results[i] = checkUpdate(i, u, MAX_ATTEMPT) ?? null;
      const failure = checkUpdateFailure(i, u, MAX_ATTEMPT);
      if (failure !== undefined) (failures ??= new Array(n))[i] = failure;
      if (u.at !== undefined) withAt = true;
      if (!repeated) repeated = seen.size === seen.add(u.seq).size;
    }
    const seqs: number[] = [];
    const statuses: number[] = [];
    const attempts: number[] = [];
    const workers: (string | null)[] = [];
    const texts: (string | null)[] = [];
    const ats: (number | undefined)[] = [];
    const fails: (UpdateFailure | undefined)[] = [];
    if (!repeated) {
      for (let i = 0; i < n; i++) {
        const u = updates[i]!;
        seqs.push(u.seq);
        statuses.push(u.status);
        attempts.push(u.attempt);
        workers.push(u.worker);
        texts.push(results[i]!);
        if (withAt) ats.push(u.at);
        if (failures !== null) fails.push(failures[i]);
      }
    } else {
      // One row per seq, as if applied in order: the last update's status,
      // attempt and worker, of each optional field the last one given.
      const at = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const u = updates[i]!;
        let k = at.get(u.seq);
        if (k === undefined) {
          at.set(u.seq, k = seqs.length);
          seqs.push(u.seq);
          texts.push(null);
          ats.push(undefined);
          fails.push(undefined);
        }
        statuses[k] = u.status;
        attempts[k] = u.attempt;
        workers[k] = u.worker;
        if (results[i] !== null) texts[k] = results[i]!;
        if (u.at !== undefined) ats[k] = u.at;
        // Failure objects hold only the fields given: a later one replaces just those.
        const f = failures?.[i];
        if (f !== undefined) fails[k] = { ...fails[k], ...f };
      }
    }
    const params: Param[] = [
      id, tokenOf(fence), intArray(seqs), intArray(statuses), intArray(attempts), textArray(workers), textArray(texts),
      withAt ? nullableIntArray(ats) : null,
    ];
    const rows = failures === null
      ? await this.#run<FenceRow>("update-statuses", params)
      : await this.#run<FenceRow>("update-statuses-failures", [...params, ...failureArrays(fails)]);
    this.#own(fence, rows[0]);
  }

  async failUnfinished(fence: Fence, result: JsonValue): Promise<number> {
    const id = instanceIdOf(fence);
    const text = encodeJson("result", result);
    const rows = await this.#run<FenceRow & { changed: number }>("fail-unfinished", [id, tokenOf(fence), text]);
    this.#own(fence, rows[0]);
    return rows[0]!.changed;
  }

  async resetForResume(fence: Fence, failover: boolean, result: JsonValue): Promise<void> {
    const id = instanceIdOf(fence);
    expectBoolean("failover", failover);
    const text = encodeJson("result", result);
    const rows = failover
      ? await this.#run<FenceRow>("reset-for-resume-failover", [id, tokenOf(fence)])
      : await this.#run<FenceRow>("reset-for-resume-fail", [id, tokenOf(fence), text]);
    this.#own(fence, rows[0]);
  }

  async retryFailed(fence: Fence): Promise<number> {
    const id = instanceIdOf(fence);
    const rows = await this.#run<FenceRow & { changed: number }>("retry-failed", [id, tokenOf(fence)]);
    this.#own(fence, rows[0]);
    return rows[0]!.changed;
  }

  async claimInit(fence: Fence, limit: number): Promise<TaskRow[]> {
    const id = instanceIdOf(fence);
    expectInt("limit", limit, 0);
    const rows = await this.#run<FenceRow & { [K in keyof TaskSqlRow]: TaskSqlRow[K] | null }>(
      "claim-init", [id, tokenOf(fence), limit]);
    this.#own(fence, rows[0]);
    const out: TaskRow[] = [];
    for (const row of rows) if (row.seq !== null) out.push(taskRow(row as TaskSqlRow));
    return out;
  }

  async countByStatus(instanceId: string): Promise<StatusCount[]> {
    if (typeof instanceId !== "string") return [];
    const rows = await this.#run<StatusCount>("count-by-status", [instanceId]);
    return rows.map((r) => ({ name: r.name, status: r.status, count: r.count }));
  }

  async maxSeq(instanceId: string): Promise<number> {
    if (typeof instanceId !== "string") return -1;
    const rows = await this.#run<{ max_seq: number }>("max-seq", [instanceId]);
    return rows[0]!.max_seq;
  }

  async getTask(instanceId: string, taskId: string): Promise<TaskRow | null> {
    if (typeof instanceId !== "string" || typeof taskId !== "string") return null;
    const rows = await this.#run<TaskSqlRow>("get-task", [instanceId, taskId]);
    return rows.length === 0 ? null : taskRow(rows[0]!);
  }

  async listTasks(instanceId: string, q: TaskQuery): Promise<TaskRow[]> {
    const query = checkTaskQuery(q);
    if (typeof instanceId !== "string") return [];
    const rows = await this.#run<TaskSqlRow>("list-tasks", [instanceId, query.afterSeq, query.status ?? null, query.name ?? null, query.limit]);
    return rows.map(taskRow);
  }

  /** @param pageSize rows read at a time. @default 1000 */
  results(instanceId: string, pageSize: number = DEFAULT_PAGE_SIZE): AsyncIterable<ResultRow> {
    expectInt("pageSize", pageSize, 1);
    return pageRows(this.#pages(instanceId, pageSize));
  }

  async recordDispatch(fence: Fence, record: DispatchRecord): Promise<void> {
    const id = instanceIdOf(fence);
    const p = packDispatch(record);
    if (p === null) return;
    const rows = await this.#run<FenceRow>("record-dispatch", [id, tokenOf(fence), p.workerId, p.worker, p.tasks]);
    this.#own(fence, rows[0]);
  }

  async listDispatches(instanceId: string, afterId: number, limit: number): Promise<StoredDispatch[]> {
    const q = checkDispatchPage(afterId, limit);
    if (typeof instanceId !== "string") return [];
    const rows = await this.#run<PackedDispatch & { id: number }>("list-dispatches", [instanceId, q.afterId, q.limit]);
    return rows.map((r) => unpackDispatch(Number(r.id), r));
  }

  async replaceDispatches(fence: Fence, records: readonly DispatchRecord[]): Promise<void> {
    const id = instanceIdOf(fence);
    const packed = packDispatches(records);
    const rows = await this.#run<FenceRow>("replace-dispatches", [
      id, tokenOf(fence), textArray(packed.map((p) => p.workerId)), textArray(packed.map((p) => p.worker)), textArray(packed.map((p) => p.tasks)),
    ]);
    this.#own(fence, rows[0]);
  }

  async clearTasks(fence: Fence): Promise<void> {
    const id = instanceIdOf(fence);
    const rows = await this.#run<FenceRow>("clear-tasks", [id, tokenOf(fence)]);
    this.#own(fence, rows[0]);
  }

  async sweepRetained(now: number, limit?: number): Promise<number> {
    const q = checkSweep(now, limit);
    const rows = await this.#run<{ swept: number }>("sweep-retained", [q.now, q.limit]);
    return rows[0]!.swept;
  }

  /** Closes the pool, letting running statements finish (for up to 5 s). */
  async close(): Promise<void> {
    await this.#sql.end({ timeout: 5 });
  }

  /** Keyset pages by seq: rows changed or added meanwhile never repeat or shift a page. */
  async *#pages(instanceId: string, pageSize: number): AsyncGenerator<ResultRow[]> {
    if (typeof instanceId !== "string") return;
    let after = -1;
    for (;;) {
      const rows = await this.#run<ResultSqlRow>("results-page", [instanceId, after, pageSize]);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.seq;
      yield rows.map((row): ResultRow => ({
        taskId: row.task_id, name: row.name, status: row.status, result: decodeJson(row.result),
        error: taskError(row.error_message, row.error_stack), attempt: row.attempt,
      }));
      if (rows.length < pageSize) return;
    }
  }

  /** Runs one statement as a prepared statement; a lost deadlock changed nothing and is run again. */
  async #run<Row>(name: StatementName, params: Param[]): Promise<Row[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#sql.unsafe(this.#statements[name], params, { prepare: true }) as unknown as Row[];
      } catch (e) {
        if (sqlState(e) !== "40P01" || attempt > DEADLOCK_RETRIES) throw e;
      }
    }
  }

  /** Throws unless the statement found the instance and `fence` is its current token. */
  #own(fence: Fence, row: FenceRow | undefined): void {
    if (row === undefined) throw new UnknownInstanceError(fence.instanceId);
    if (row.fence !== fence.token) throw new FencedError(fence.instanceId, fence.token, row.fence);
  }
}

/** The failure columns of update-statuses-failures.sql ($9 to $14), one element per row (undefined: none given). */
function failureArrays(fails: readonly (UpdateFailure | undefined)[]): Param[] {
  const n = fails.length;
  const failures: (number | undefined)[] = new Array(n);
  const setNotBefore: boolean[] = new Array(n);
  const notBefore: (number | null)[] = new Array(n);
  const setError: boolean[] = new Array(n);
  const messages: (string | null)[] = new Array(n);
  const stacks: (string | null)[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const f = fails[k];
    failures[k] = f?.failures;
    setNotBefore[k] = f?.notBefore !== undefined;
    notBefore[k] = f?.notBefore ?? null;
    setError[k] = f?.error !== undefined;
    messages[k] = f?.error?.message ?? null;
    stacks[k] = f?.error?.stack ?? null;
  }
  return [
    nullableIntArray(failures), boolArray(setNotBefore), nullableIntArray(notBefore), boolArray(setError), textArray(messages), textArray(stacks),
  ];
}
