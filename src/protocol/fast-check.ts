/**
 * Hand-written checks of the hot messages (reports, map batches, pulls, start
 * batches), run before zod. A check accepts only what the zod schema accepts,
 * and is stricter where that is cheaper (no unknown keys, safe integers), so
 * a message it refuses goes to zod, which either accepts it or names the bad
 * field. Why: zod's generic walk cost a tenth of the master's and the
 * worker's time per task; these checks cost a few property reads.
 */
import type { Message } from "./messages.ts";

type Obj = Record<string, unknown>;

/** A plain object whose own keys are all in `allowed` (zod strips unknown keys; here they fall back to it). */
function keysWithin(v: Obj, allowed: number, min: number): boolean {
  let n = 0;
  for (const _ in v) n++;
  return n >= min && n <= allowed;
}

/** A plain object (not null, not an array). */
export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** zod's `id`: a string of 1-256 units. */
function isId(v: unknown): boolean {
  return typeof v === "string" && v.length >= 1 && v.length <= 256;
}

/** zod's `count`: an integer >= 0 (here: a safe one). */
export function isCount(v: unknown): boolean {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function isFraction(v: unknown): boolean {
  return v === null || (typeof v === "number" && v >= 0 && v <= 1);
}

/** zod's `key` (a secret or a credential): a string of 16-128 units. */
function isKey(v: unknown): boolean {
  return typeof v === "string" && v.length >= 16 && v.length <= 128;
}

/** A worker's identity with its secret (H13). */
function isWorkerRef(v: unknown): boolean {
  return isObj(v) && keysWithin(v, 3, 3) && isId(v.workerId) && isCount(v.incarnation) && isKey(v.secret);
}

/** The incarnation a master addresses (no secret). */
function isAddressee(v: unknown): boolean {
  return isObj(v) && keysWithin(v, 2, 2) && isId(v.workerId) && isCount(v.incarnation);
}

function isLoad(v: unknown): boolean {
  return isObj(v) && keysWithin(v, 3, 3) && isCount(v.freeSlots) && isFraction(v.cpuFree) && isFraction(v.memFree);
}

/** Whether `a` is an array of `n` items each passing `f`. */
function column(a: unknown, n: number, f: (v: unknown) => boolean): boolean {
  if (!Array.isArray(a) || a.length !== n) return false;
  for (let i = 0; i < n; i++) if (!f(a[i])) return false;
  return true;
}

function isWireStatus(v: unknown): boolean {
  return v === 4 || v === 3 || v === 5;
}

function isRunMs(v: unknown): boolean {
  return v === null || (isCount(v) && (v as number) <= 2 ** 31);
}

/** [index, value] pairs with every index below `n` and every value passing `f`. */
function isPairs(a: unknown, n: number, f: (v: unknown) => boolean): boolean {
  if (!Array.isArray(a)) return false;
  for (let i = 0; i < a.length; i++) {
    const p = a[i];
    if (!Array.isArray(p) || p.length !== 2 || !isCount(p[0]) || (p[0] as number) >= n || !f(p[1])) return false;
  }
  return true;
}

function isTraceId(v: unknown): boolean {
  return typeof v === "string" && v.length <= 256;
}

/** zod's ReportColumns (W2): one instance cycle's reports, every column as long as `handles`. */
function isReportColumns(v: unknown): boolean {
  if (!isObj(v)) return false;
  const keys = 8 + ("errors" in v ? 1 : 0) + ("traceIds" in v ? 1 : 0);
  if (!keysWithin(v, keys, keys) || !isId(v.instanceId) || !isCount(v.serialNum) || !Array.isArray(v.handles)) return false;
  const n = v.handles.length;
  return column(v.handles, n, isCount) && column(v.taskIds, n, isId) && column(v.attempts, n, isCount)
    && column(v.statuses, n, isWireStatus) && column(v.results, n, isDefined) && column(v.runMs, n, isRunMs)
    && (v.errors === undefined || isPairs(v.errors, n, isError)) && (v.traceIds === undefined || isPairs(v.traceIds, n, isTraceId));
}

/** zod's task error: { message, stack? }, strings. */
function isError(v: unknown): boolean {
  if (!isObj(v) || typeof v.message !== "string") return false;
  if (!("stack" in v)) return keysWithin(v, 1, 1);
  return keysWithin(v, 2, 2) && (v.stack === undefined || typeof v.stack === "string");
}

/** zod's TaskColumns (W1), with no unknown keys (also the check of a pull's reply). */
export function isTaskColumns(v: unknown): boolean {
  if (!isObj(v) || !keysWithin(v, 6, 6) || !Array.isArray(v.handles) || !Array.isArray(v.names)) return false;
  const n = v.handles.length, names = v.names.length;
  if (!column(v.names, names, isId)) return false;
  const nameIdx = v.nameIdx;
  if (!Array.isArray(nameIdx) || nameIdx.length !== n) return false;
  for (let i = 0; i < n; i++) if (!isCount(nameIdx[i]) || (nameIdx[i] as number) >= names) return false;
  return column(v.handles, n, isCount) && column(v.taskIds, n, isId) && column(v.bodies, n, isDefined) && column(v.attempts, n, isCount);
}

/** zod's InstanceSpec, with no unknown keys. */
export function isInstanceSpec(v: unknown): boolean {
  if (!isObj(v)) return false;
  const keys = 4 + ("params" in v ? 1 : 0) + ("fence" in v ? 1 : 0) + ("taskTimeout" in v ? 1 : 0);
  return keysWithin(v, keys, keys) && isId(v.instanceId) && isCount(v.serialNum) && isId(v.processor)
    && isCount(v.consumerSize) && (v.consumerSize as number) >= 1 && (v.fence === undefined || isCount(v.fence))
    && (v.taskTimeout === undefined || (isCount(v.taskTimeout) && (v.taskTimeout as number) >= 1));
}

/** W4: [id, code, why] — a riding batch the worker refused. */
function isNack(v: unknown): boolean {
  if (!Array.isArray(v) || v.length !== 3 || !isCount(v[0]) || typeof v[2] !== "string" || v[2].length > 4096) return false;
  return v[1] === "not_running" || v[1] === "rejected" || v[1] === "params_needed";
}

/** W4: a start batch riding on a report's reply. */
export function isRidingBatch(v: unknown): boolean {
  return isObj(v) && keysWithin(v, 3, 3) && isCount(v.id) && (v.id as number) >= 1 && isInstanceSpec(v.instance) && isTaskColumns(v.tasks);
}

/** Whether `a` is an array whose every item passes `f`. */
export function every(a: unknown, f: (v: unknown) => boolean): boolean {
  if (!Array.isArray(a)) return false;
  for (let i = 0; i < a.length; i++) if (!f(a[i])) return false;
  return true;
}

function isDefined(v: unknown): boolean {
  return v !== undefined;
}

/** The hot messages' checks, by type. */
const CHECKS: Partial<Record<Message["type"], (v: Obj) => boolean>> = {
  report: (v) => {
    // `ack` and `nacks` are optional (W4).
    const keys = 4 + ("ack" in v ? 1 : 0) + ("nacks" in v ? 1 : 0);
    return keysWithin(v, keys, keys) && isWorkerRef(v.worker) && isLoad(v.load) && every(v.reports, isReportColumns)
      && (v.ack === undefined || isCount(v.ack)) && (v.nacks === undefined || every(v.nacks, isNack));
  },
  // `first` is optional (B32): with it the batch has 12 keys, without it 11.
  map: (v) => ("first" in v ? keysWithin(v, 12, 12) && isCount(v.first) : keysWithin(v, 11, 11)) && isWorkerRef(v.worker) && isId(v.instanceId) && isCount(v.serialNum) && isId(v.parentTaskId)
    && isCount(v.parentHandle) && isCount(v.parentAttempt) && isCount(v.mapCall) && isId(v.taskName) && isId(v.key) && every(v.bodies, isDefined),
  pull: (v) => {
    // `reports` is optional (W5).
    const keys = 5 + ("reports" in v ? 1 : 0);
    return keysWithin(v, keys, keys) && isWorkerRef(v.worker) && isId(v.instanceId) && isCount(v.serialNum) && isCount(v.max) && (v.max as number) >= 1
      && (v.reports === undefined || every(v.reports, isReportColumns));
  },
  start: (v) => keysWithin(v, 6, 6) && isId(v.master) && isKey(v.credential) && isInstanceSpec(v.instance) && isAddressee(v.worker)
    && isTaskColumns(v.tasks),
};

/**
 * True when `raw` is certainly a valid message of `type` (then it can be used
 * as it is); false means "ask zod", not "invalid".
 */
export function fastCheck(type: Message["type"], raw: unknown): boolean {
  const check = CHECKS[type];
  return check !== undefined && isObj(raw) && raw.type === type && check(raw);
}
