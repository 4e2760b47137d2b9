/**
 * The argument checks every TaskStore backend makes, the JSON text they
 * store, and which task of a batch a repeated taskId keeps, in one place:
 * each backend refuses the same input with the same ValidationError
 * ("field: Expected X, got Y") before it writes anything.
 * A backend's own limits go on top: it passes them in (SQLite's seq range,
 * PostgreSQL's integer attempt column) or checks after (Deno KV's key sizes).
 *
 * Checks that run once per task test the value first and build the field
 * name only to throw, so a batch of valid tasks costs no string building.
 */
import { expectInt } from "../errors/validate.ts";
import { ValidationError } from "../errors/validation-error.ts";
import type { JsonValue } from "../protocol/messages.ts";
import { checkErrorSummaries, checkTaskError } from "./task-error.ts";
import type {
  Fence, InstancePatch, InstanceStatus, LeaseTerms, NewInstance, NewTask, StatusUpdate, TaskError, TaskQuery, TaskStatusCode, InstanceFilter,
} from "./task-store.ts";

/** Every instance status, in the order messages list them. */
export const INSTANCE_STATUSES: readonly InstanceStatus[] = ["RUNNING", "SUCCESS", "FAILED"];
/** The JSON text of null. */
export const NULL_TEXT = "null";

/** JSON text of `value`, or undefined when JSON cannot carry it (undefined, a function, cycles, bigint). */
function jsonText(value: unknown): string | undefined {
  try {
    const text = JSON.stringify(value);
    return typeof text === "string" ? text : undefined;
  } catch {
    return undefined;
  }
}

/** JSON text of `value`; refuses what JSON cannot carry (undefined, cycles, bigint). */
export function encodeJson(field: string, value: unknown): string {
  const text = jsonText(value);
  if (text === undefined) throw new ValidationError(field, "a JSON value", value);
  return text;
}

/** The value of stored JSON text. */
export function decodeJson(text: string): JsonValue {
  return text === NULL_TEXT ? null : JSON.parse(text) as JsonValue;
}

/** A seq (or attempt): a safe integer >= 0. */
export function isSeq(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** A task status code, INIT 1 … FAILED 5. */
export function isStatus(value: unknown): value is TaskStatusCode {
  return value === 1 || value === 2 || value === 3 || value === 4 || value === 5;
}

/** A worker key or null. */
export function isWorker(value: unknown): value is string | null {
  return value === null || typeof value === "string";
}

/** Returns `value` when it is a seq <= `max`; else throws naming `field`. */
export function checkSeq(field: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  return expectInt(field, value, 0, max);
}

/** Returns `value` when it is a task status code; else throws naming `field`. */
export function checkStatus(field: string, value: unknown): TaskStatusCode {
  if (!isStatus(value)) throw new ValidationError(field, "a task status code from 1 to 5", value);
  return value;
}

/** Returns `value` when it is a worker key or null; else throws naming `field`. */
export function checkWorker(field: string, value: unknown): string | null {
  if (!isWorker(value)) throw new ValidationError(field, "a worker key or null", value);
  return value;
}

/** Returns `value` when it is a (non-empty, unless told) string; else throws naming `field`. */
export function expectString(field: string, value: unknown, nonEmpty = true): string {
  if (typeof value !== "string" || (nonEmpty && value.length === 0)) {
    throw new ValidationError(field, nonEmpty ? "a non-empty string" : "a string", value);
  }
  return value;
}

/** Returns `value` when it is a boolean; else throws naming `field`. */
export function expectBoolean(field: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new ValidationError(field, "a boolean", value);
  return value;
}

/** Returns `value` when it is an instance status; else throws naming `field`. */
export function checkInstanceStatus(field: string, value: unknown): InstanceStatus {
  if (!INSTANCE_STATUSES.includes(value as InstanceStatus)) {
    throw new ValidationError(field, `one of ${INSTANCE_STATUSES.join(", ")}`, value);
  }
  return value as InstanceStatus;
}

/** A new instance's fields, checked; JSON ones as text. */
export interface CheckedInstance {
  instanceId: string;
  processor: string;
  settings: string;
  params: string;
  createdAt: number;
  /** When the first run started: createdAt unless told. */
  startedAt: number;
  serialNum: number;
  owner: string;
}

/** Checks the arguments of `createInstance`. */
export function checkNewInstance(instance: NewInstance, owner: string): CheckedInstance {
  return {
    instanceId: expectString("instanceId", instance.instanceId),
    processor: expectString("processor", instance.processor),
    settings: encodeJson("settings", instance.settings),
    params: encodeJson("params", instance.params),
    createdAt: expectInt("createdAt", instance.createdAt, 0),
    startedAt: expectInt("startedAt", instance.startedAt ?? instance.createdAt, 0),
    serialNum: expectInt("serialNum", instance.serialNum, 0),
    owner: expectString("owner", owner),
  };
}

/** The filter of `listInstances`, checked; absent fields stay undefined. */
export function checkListFilter(filter: InstanceFilter): { status?: InstanceStatus; processor?: string; before?: string; limit?: number } {
  return {
    status: filter.status === undefined ? undefined : checkInstanceStatus("status", filter.status),
    processor: filter.processor === undefined ? undefined : expectString("processor", filter.processor),
    before: filter.before === undefined ? undefined : expectString("before", filter.before),
    limit: filter.limit === undefined ? undefined : expectInt("limit", filter.limit, 0),
  };
}

/** An instance patch, checked, with JSON fields as text; absent fields stay undefined. */
export interface CheckedPatch {
  status?: InstanceStatus;
  result?: string;
  serialNum?: number;
  finishedAt?: number | null;
  progress?: string;
  failedCount?: number;
  /** The summaries as JSON text, at most MAX_INSTANCE_ERRORS, messages bounded. */
  errors?: string;
  startedAt?: number | null;
  retainUntil?: number | null;
}

/** A clock time in ms (an integer >= 0) or null; else throws naming `field`. */
function timeOrNull(field: string, value: unknown): number | null {
  return value === null ? null : expectInt(field, value, 0);
}

/** Checks the patch of `updateInstance`. */
export function checkPatch(patch: InstancePatch): CheckedPatch {
  const out: CheckedPatch = {};
  if (patch.status !== undefined) out.status = checkInstanceStatus("status", patch.status);
  if (patch.result !== undefined) out.result = encodeJson("result", patch.result);
  if (patch.serialNum !== undefined) out.serialNum = expectInt("serialNum", patch.serialNum, 0);
  if (patch.finishedAt !== undefined) {
    out.finishedAt = patch.finishedAt === null ? null : expectInt("finishedAt", patch.finishedAt, 0);
  }
  if (patch.progress !== undefined && patch.progress !== null && typeof patch.progress !== "object") {
    throw new ValidationError("progress", "an object or null", patch.progress);
  }
  if (patch.progress !== undefined) out.progress = encodeJson("progress", patch.progress);
  if (patch.failedCount !== undefined) out.failedCount = expectInt("failedCount", patch.failedCount, 0);
  if (patch.errors !== undefined) out.errors = JSON.stringify(checkErrorSummaries("errors", patch.errors));
  if (patch.startedAt !== undefined) out.startedAt = timeOrNull("startedAt", patch.startedAt);
  if (patch.retainUntil !== undefined) out.retainUntil = timeOrNull("retainUntil", patch.retainUntil);
  return out;
}

/**
 * Checks task `i` of an `insertTasks` batch (its seq at most `maxSeq`) and
 * returns its body as JSON text.
 */
export function checkNewTask(i: number, t: NewTask, maxSeq = Number.MAX_SAFE_INTEGER): string {
  if (!isSeq(t.seq) || t.seq > maxSeq) checkSeq(`tasks[${i}].seq`, t.seq, maxSeq);
  if (typeof t.taskId !== "string" || t.taskId.length === 0) expectString(`tasks[${i}].taskId`, t.taskId);
  if (t.parentId !== null && typeof t.parentId !== "string") {
    throw new ValidationError(`tasks[${i}].parentId`, "a string or null", t.parentId);
  }
  if (typeof t.name !== "string") expectString(`tasks[${i}].name`, t.name, false);
  if (typeof t.queued !== "boolean") expectBoolean(`tasks[${i}].queued`, t.queued);
  if (t.at !== undefined && !isSeq(t.at)) expectInt(`tasks[${i}].at`, t.at, 0);
  const body = jsonText(t.body);
  if (body === undefined) throw new ValidationError(`tasks[${i}].body`, "a JSON value", t.body);
  return body;
}

/** The refusal of a new task whose seq another task holds, in the store or earlier in the batch: the caller's error. */
export function seqTaken(i: number, seq: number): ValidationError {
  return new ValidationError(`tasks[${i}].seq`, "a seq no other task holds", seq);
}

/** A task of an `insertTasks` batch, checked and copied, its body as JSON text. */
export interface CheckedTask {
  seq: number;
  taskId: string;
  parentId: string | null;
  name: string;
  body: string;
  queued: boolean;
  /** Its updatedAt: `at`, or 0. */
  at: number;
}

/** Checks task `i` as `checkNewTask` does and copies it: later changes to the caller's object do not reach the store. */
export function checkedTask(i: number, t: NewTask, maxSeq = Number.MAX_SAFE_INTEGER): CheckedTask {
  const body = checkNewTask(i, t, maxSeq);
  return { seq: t.seq, taskId: t.taskId, parentId: t.parentId, name: t.name, body, queued: t.queued, at: t.at ?? 0 };
}

/**
 * Checks update `i` of an `updateStatuses` batch (its attempt at most
 * `maxAttempt`), its `at` included, and returns its result as JSON text,
 * undefined when none is given. Its failure fields are checkUpdateFailure's.
 */
export function checkUpdate(i: number, u: StatusUpdate, maxAttempt = Number.MAX_SAFE_INTEGER): string | undefined {
  if (!isSeq(u.seq)) checkSeq(`updates[${i}].seq`, u.seq);
  if (!isStatus(u.status)) checkStatus(`updates[${i}].status`, u.status);
  if (!isSeq(u.attempt) || u.attempt > maxAttempt) expectInt(`updates[${i}].attempt`, u.attempt, 0, maxAttempt);
  if (!isWorker(u.worker)) checkWorker(`updates[${i}].worker`, u.worker);
  if (u.at !== undefined && !isSeq(u.at)) expectInt(`updates[${i}].at`, u.at, 0);
  if (u.result === undefined) return undefined;
  const result = jsonText(u.result);
  if (result === undefined) throw new ValidationError(`updates[${i}].result`, "a JSON value", u.result);
  return result;
}

/** The failure fields of a status update, checked, the error bounded; only the fields given are present. */
export interface UpdateFailure {
  failures?: number;
  notBefore?: number | null;
  error?: TaskError | null;
}

/**
 * Checks the failure fields of update `i` (failures at most `maxFailures`);
 * undefined when it gives none, as most updates do, at the cost of three
 * comparisons.
 */
export function checkUpdateFailure(i: number, u: StatusUpdate, maxFailures = Number.MAX_SAFE_INTEGER): UpdateFailure | undefined {
  if (u.failures === undefined && u.notBefore === undefined && u.error === undefined) return undefined;
  const out: UpdateFailure = {};
  if (u.failures !== undefined) out.failures = expectInt(`updates[${i}].failures`, u.failures, 0, maxFailures);
  if (u.notBefore !== undefined) out.notBefore = timeOrNull(`updates[${i}].notBefore`, u.notBefore);
  if (u.error !== undefined) out.error = checkTaskError(`updates[${i}].error`, u.error);
  return out;
}

/** A status update, checked and copied, its result (when given) as JSON text. */
export interface CheckedUpdate {
  seq: number;
  status: TaskStatusCode;
  attempt: number;
  worker: string | null;
  result: string | undefined;
  /** Its failure fields, undefined when it gives none. */
  failure: UpdateFailure | undefined;
  /** Clock ms of the write, undefined when not given (updatedAt stays). */
  at: number | undefined;
}

/** Checks update `i` as `checkUpdate` and `checkUpdateFailure` do and copies it. */
export function checkedUpdate(i: number, u: StatusUpdate, maxAttempt = Number.MAX_SAFE_INTEGER): CheckedUpdate {
  const result = checkUpdate(i, u, maxAttempt);
  const failure = checkUpdateFailure(i, u);
  return { seq: u.seq, status: u.status, attempt: u.attempt, worker: u.worker, result, failure, at: u.at };
}

/**
 * Indexes of the first task of each taskId in a batch, or null when no
 * taskId repeats (the usual case). A repeat is never stored: the first wins.
 */
export function firstOfEachTaskId(tasks: readonly { readonly taskId: string }[]): number[] | null {
  const seen = new Set<string>();
  let keep: number[] | null = null;
  for (let i = 0; i < tasks.length; i++) {
    const id = tasks[i]!.taskId;
    if (seen.has(id)) {
      keep ??= Array.from({ length: i }, (_, k) => k);
    } else {
      seen.add(id);
      keep?.push(i);
    }
  }
  return keep;
}

/** Lease terms, checked: when they were asked for and when the lease runs out (ms). */
export interface CheckedLease {
  now: number;
  until: number;
}

/** Checks lease terms (`now` and `leaseMs` integers >= 0); null when none are given. */
export function checkLease(lease: LeaseTerms | undefined): CheckedLease | null {
  if (lease === undefined) return null;
  if (typeof lease !== "object" || lease === null) throw new ValidationError("lease", "an object { now, leaseMs }", lease);
  const now = expectInt("lease.now", lease.now, 0);
  const leaseMs = expectInt("lease.leaseMs", lease.leaseMs, 0);
  return { now, until: now + leaseMs };
}

/** Checks lease terms that must be given (`renewLeases`). */
export function requireLease(lease: LeaseTerms): CheckedLease {
  if (lease === undefined) throw new ValidationError("lease", "an object { now, leaseMs }", lease);
  return checkLease(lease)!;
}

/** Checks the fences of `renewLeases` and copies them: instance ids are strings, tokens numbers (a stale one is merely not renewed). */
export function checkFences(fences: readonly Fence[]): Fence[] {
  if (!Array.isArray(fences)) throw new ValidationError("fences", "an array of { instanceId, token }", fences);
  return fences.map((f, i) => {
    if (typeof f !== "object" || f === null) throw new ValidationError(`fences[${i}]`, "an object { instanceId, token }", f);
    const token = f.token;
    if (typeof token !== "number" || Number.isNaN(token)) throw new ValidationError(`fences[${i}].token`, "a number", token);
    return { instanceId: expectString(`fences[${i}].instanceId`, f.instanceId), token };
  });
}

/** The query of `listTasks`, checked: afterSeq -1 when not given. */
export interface CheckedTaskQuery {
  status: TaskStatusCode | undefined;
  name: string | undefined;
  limit: number;
  afterSeq: number;
}

/** Checks the query of `listTasks`. */
export function checkTaskQuery(q: TaskQuery): CheckedTaskQuery {
  if (typeof q !== "object" || q === null) throw new ValidationError("q", "an object { limit, status?, name?, afterSeq? }", q);
  return {
    status: q.status === undefined ? undefined : checkStatus("status", q.status),
    name: q.name === undefined ? undefined : expectString("name", q.name, false),
    limit: expectInt("limit", q.limit, 1),
    afterSeq: q.afterSeq === undefined ? -1 : expectInt("afterSeq", q.afterSeq, -1),
  };
}

/** Instances `sweepRetained` sweeps per call unless told. */
export const DEFAULT_SWEEP_LIMIT = 100;

/** Checks the arguments of `sweepRetained`. */
export function checkSweep(now: number, limit: number | undefined): { now: number; limit: number } {
  return { now: expectInt("now", now, 0), limit: limit === undefined ? DEFAULT_SWEEP_LIMIT : expectInt("limit", limit, 1) };
}

/** Checks the arguments of `expiredInstances`. */
export function checkExpiredQuery(now: number, limit: number | undefined): { now: number; limit: number | undefined } {
  return { now: expectInt("now", now, 0), limit: limit === undefined ? undefined : expectInt("limit", limit, 0) };
}
