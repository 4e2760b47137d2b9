/**
 * The one seam between taskmill and persistence. The master and workers never
 * reach storage any other way; every backend (memory, SQLite, PostgreSQL,
 * Deno KV, IndexedDB) implements this interface and passes the shared
 * conformance suite (`runStoreSuite`, test/store/conformance/).
 *
 * Every write names the instance's fencing token. A store refuses a write
 * whose token is not exactly the instance's current one with a FencedError,
 * so a master that lost an instance (restart, takeover) can no longer change
 * it. Writes to an unknown instance throw UnknownInstanceError; reads of one
 * are empty (no task, no counts, maxSeq -1, no results).
 *
 * Leases (several masters on one store): an owner may hold an instance
 * through a lease that runs until a time on the masters' clock. Acquiring
 * with lease terms succeeds only when the lease ran out, there is none, or
 * the owner already holds it; the owner renews it on an interval, and other
 * masters list the RUNNING instances whose lease ran out to take them over.
 * Safety never rests on the clock: the token does. A lease only says when
 * another master may take the instance; once it does, the token moves on and
 * the old owner's writes are refused, whatever its clock says.
 */
import type { JsonValue } from "../protocol/messages.ts";

/** Status of an instance. */
export type InstanceStatus = "RUNNING" | "SUCCESS" | "FAILED";

/** Task status codes: INIT 1, PULLED 2, RUNNING 3, SUCCESS 4, FAILED 5 (core-as/shared/constants.ts). */
export type TaskStatusCode = 1 | 2 | 3 | 4 | 5;

/** Ownership of one instance: writes carry it; a newer token deposes older ones. */
export interface Fence {
  instanceId: string;
  /** Grows by one at every acquisition of the instance. */
  token: number;
}

/** A lease asked for: it runs from `now` for `leaseMs`, on the masters' shared clock (ms since epoch). */
export interface LeaseTerms {
  /** The caller's clock, now (an integer, ms). */
  now: number;
  /** How long the lease runs, ms (0 ends it now: a release). */
  leaseMs: number;
}

/** Counters of one task name, as kept in the instance record after its tasks are cleared. */
export interface NameProgress {
  total: number;
  init: number;
  pulled: number;
  running: number;
  success: number;
  failed: number;
}

/** Counters of one worker. */
export interface WorkerProgress {
  total: number;
  pulled: number;
  running: number;
  success: number;
  failed: number;
  traceId?: string;
}

/** A task run's failure as stored: bounded by the store (`boundTaskError`: message 4 KiB, stack 16 KiB of UTF-8). */
export interface TaskError {
  message: string;
  stack?: string;
}

/** One failed task as the instance record lists it (at most 10 are kept). */
export interface TaskErrorSummary {
  taskId: string;
  name: string;
  attempt: number;
  /** The worker it failed at, or null. */
  worker: string | null;
  /** Bounded to 4 KiB of UTF-8 by the store. */
  message: string;
}

/** Progress of an instance: per task name and per worker (B13). */
export interface Progress {
  names: Record<string, NameProgress>;
  workers: Record<string, WorkerProgress>;
}

/** The durable record of an instance. */
export interface InstanceRecord {
  instanceId: string;
  /** Processor name. */
  processor: string;
  /** The validated job settings (JSON). */
  settings: JsonValue;
  /** The user's params. */
  params: JsonValue;
  status: InstanceStatus;
  /** The instance's result: reduce's, a failed root's, or an error message. */
  result: JsonValue;
  /** Cycle number; grows with each cycle of a recurring job (B20). */
  serialNum: number;
  /** Who owns it now (a master id). */
  owner: string;
  /** Current fencing token. */
  fence: number;
  /** When the owner's lease runs out (ms since epoch); null when it holds none (a master running alone). */
  leaseUntil: number | null;
  /** ms since epoch. */
  createdAt: number;
  /** ms since epoch, when final. */
  finishedAt: number | null;
  /** Final counters, kept after the tasks are cleared (B13, B18). */
  progress: Progress | null;
  /** Tasks that failed for good (0 for a new record). */
  failedCount: number;
  /** Some of the failed tasks, at most 10 (the store drops the rest); [] for a new record. */
  errors: TaskErrorSummary[];
  /** When the current cycle or run started (ms); createdAt unless told, null for records from before it was kept. */
  startedAt: number | null;
  /** When the tasks kept after the end may be swept (ms); null: nothing retained, or not finished. */
  retainUntil: number | null;
}

/** Which instances `listInstances` lists (newest first: by createdAt, then creation order). */
export interface InstanceFilter {
  /** Only instances in this status. */
  status?: InstanceStatus | undefined;
  /** A3: only instances of this processor. */
  processor?: string | undefined;
  /** A3: only instances listed after this one (older; a page's cursor). An unknown id lists nothing. */
  before?: string | undefined;
  /** At most this many. @default all */
  limit?: number | undefined;
}

/** Fields a new instance starts with; `startedAt` defaults to `createdAt`. */
export type NewInstance = Pick<InstanceRecord, "instanceId" | "processor" | "settings" | "params" | "serialNum" | "createdAt"> & {
  startedAt?: number;
};

/** Fields an owner may change on its instance. */
export type InstancePatch = Partial<Pick<
  InstanceRecord,
  "status" | "result" | "serialNum" | "finishedAt" | "progress" | "failedCount" | "errors" | "startedAt" | "retainUntil"
>>;

/** A task to store. */
export interface NewTask {
  /** Row number within the instance, assigned by the owner; unique per instance. */
  seq: number;
  /** Identity derived from parent, map call and index: the idempotency key. */
  taskId: string;
  parentId: string | null;
  name: string;
  body: JsonValue;
  /**
   * True when the master holds the task in memory already (queued for
   * dispatch); false leaves it for `claimInit` to hand out later.
   */
  queued: boolean;
  /** Clock ms of this write, stored as `updatedAt`. @default 0 */
  at?: number;
}

/** A stored task. */
export interface TaskRow {
  seq: number;
  taskId: string;
  parentId: string | null;
  name: string;
  body: JsonValue;
  status: TaskStatusCode;
  attempt: number;
  /** Worker key (`workerId#incarnation`) it was handed to, or null. */
  worker: string | null;
  result: JsonValue;
  /** Runs of this task that ended in failure (0 for a new row). */
  failures: number;
  /** Clock ms before which it must not be dispatched (a retry waiting out its backoff); null: now. */
  notBefore: number | null;
  /** Its last failure, or null. */
  error: TaskError | null;
  /** Clock ms of the row's last write that gave one; the instance's createdAt for rows stored before it was kept. */
  updatedAt: number;
}

/** One task's new status. Each optional field is written only when given; absent, the stored value stays. */
export interface StatusUpdate {
  seq: number;
  status: TaskStatusCode;
  attempt: number;
  worker: string | null;
  /** Stored when given (final statuses). */
  result?: JsonValue;
  /** Runs that ended in failure so far. */
  failures?: number;
  /** Not to be dispatched before this clock ms; null: now. */
  notBefore?: number | null;
  /** The last failure (bounded by the store); null clears it. */
  error?: TaskError | null;
  /** Clock ms of this write, stored as `updatedAt`. */
  at?: number;
}

/** A finished task as reduce sees it. */
export interface ResultRow {
  taskId: string;
  name: string;
  status: TaskStatusCode;
  result: JsonValue;
  /** Its last failure, or null. */
  error: TaskError | null;
  attempt: number;
}

/** Which tasks `listTasks` returns: one page in seq order. */
export interface TaskQuery {
  /** Only tasks in this status. */
  status?: TaskStatusCode;
  /** Only tasks of this name. */
  name?: string;
  /** Most tasks returned (an integer >= 1). */
  limit: number;
  /** Only tasks whose seq is above this one (the last seq of the page before). @default -1 */
  afterSeq?: number;
}

/** Tasks of one name in one status. */
export interface StatusCount {
  name: string;
  status: TaskStatusCode;
  count: number;
}

/**
 * One dispatched batch (B27): which worker incarnation was handed which tasks
 * at which attempt — a push start batch or a pull reply, stored as one write.
 * A restarted or taking-over master reads them to keep those assignments (X3).
 */
export interface DispatchRecord {
  /** The worker's id, stable across its incarnations: a returning worker is matched by it. */
  workerId: string;
  /** The worker key (`workerId#incarnation`) the batch went to. */
  worker: string;
  /** Row numbers of the batch's tasks (at most MAX_DISPATCH_TASKS). */
  seqs: number[];
  /** `attempts[i]` is the attempt `seqs[i]` was handed out at; as long as `seqs`. */
  attempts: number[];
}

/** A stored dispatch record with its id: ids grow in the order records were written, per instance. */
export interface StoredDispatch extends DispatchRecord {
  id: number;
}

/** Persistence of instances and their tasks. All batch methods are one transaction or statement. */
export interface TaskStore {
  /** Backend name, e.g. "memory", "sqlite". */
  readonly kind: string;
  /**
   * Set by a store that runs its calls in the order they are made and tries
   * each write up to this many times itself before the next (B11): a caller
   * may make a write before the one before it answered, and must not retry
   * it (the master's write chain then pipelines its writes). Absent: the
   * caller waits for each write and retries it.
   */
  readonly writeAttempts?: number;

  /** Creates an instance owned by `owner` (token 1), with a lease when `lease` is given. Throws if the id exists. */
  createInstance(instance: NewInstance, owner: string, lease?: LeaseTerms): Promise<Fence>;
  /**
   * Takes ownership of an instance: its token grows by one, deposing the
   * previous owner. Without `lease` it always succeeds and leaves no lease (a
   * master running alone). With `lease` it succeeds only when the instance
   * holds no lease, its lease ran out by `lease.now`, or `owner` holds it
   * already; then the new lease runs until now + leaseMs. Otherwise it
   * throws LeaseHeldError and changes nothing. The check and the change are
   * one atomic step, so two masters never both take one instance. A finished
   * (SUCCESS, FAILED) instance is taken the same way: a retry makes it
   * RUNNING again through updateInstance under the new token.
   */
  acquireInstance(instanceId: string, owner: string, lease?: LeaseTerms): Promise<Fence>;
  /**
   * Extends the leases of the instances `owner` holds with exactly these
   * fences (owner and token unchanged) to `lease.now + lease.leaseMs`, in one
   * atomic step each; returns the ids renewed. An id left out was taken by
   * another master (or is unknown): its owner must stop. A lease that ran out
   * but was not taken is renewed: nobody else can have written meanwhile.
   */
  renewLeases(owner: string, fences: readonly Fence[], lease: LeaseTerms): Promise<string[]>;
  /**
   * RUNNING instances whose lease ran out by `now`, or that hold none: the
   * ones another master may take over. Oldest first (createdAt, then creation
   * order), at most `limit` (all by default).
   */
  expiredInstances(now: number, limit?: number): Promise<InstanceRecord[]>;
  /** The instance record, or null. */
  getInstance(instanceId: string): Promise<InstanceRecord | null>;
  /** Instance records, newest first (by createdAt, then creation order), optionally only those in one status. */
  listInstances(filter?: InstanceFilter): Promise<InstanceRecord[]>;
  /** Changes the instance record. */
  updateInstance(fence: Fence, patch: InstancePatch): Promise<void>;

  /**
   * Stores a batch as INIT, attempt 0, no worker, null result. A task whose
   * taskId exists (in the store or earlier in the batch) is left as it is.
   * Returns one byte per task: 1 when the task is stored under the seq given
   * — stored now, or by an earlier attempt of this same batch — and 0 when
   * its taskId is stored under another seq (a duplicate: the parent that
   * mapped it ran again, and the owner gives every batch fresh seqs) or
   * repeats an earlier task of the batch. So a failed call (a commit whose
   * answer was lost, a batch committed in parts) can be retried with the
   * same batch: the 1s are the tasks to count and admit, whichever attempt
   * stored them. A seq is unique per instance: one another taskId holds (in
   * the store or earlier in the batch) is a caller error, refused with a
   * ValidationError, and nothing of the batch is stored.
   */
  insertTasks(fence: Fence, tasks: readonly NewTask[]): Promise<Uint8Array>;
  /**
   * Sets status, attempt, worker (and result when given) of each task. The
   * `queued` flag is left as it is (a task the master sends back to INIT
   * itself stays in its memory). Seqs that are not stored are ignored. The
   * master writes a task's row once after its insert on the happy path: its
   * final status with its result. Dispatch writes no row (B3): a dispatched
   * task's row stays INIT, and its batch's dispatch record says who holds it.
   */
  updateStatuses(fence: Fence, updates: readonly StatusUpdate[]): Promise<void>;
  /** Every unfinished task (INIT, PULLED, RUNNING) → FAILED with `result`, worker and attempt kept (kill). Returns how many. */
  failUnfinished(fence: Fence, result: JsonValue): Promise<number>;
  /**
   * Prepares a resumed instance: every INIT task is marked not queued, so
   * `claimInit` hands it out again. PULLED/RUNNING tasks — left by versions
   * that marked dispatched rows; the master writes neither status any more —
   * go to INIT with attempt + 1 and notBefore null (failover) or to FAILED
   * with `result`. Failures and error stay.
   */
  resetForResume(fence: Fence, failover: boolean, result: JsonValue): Promise<void>;
  /**
   * Every FAILED task of the instance goes back to INIT for another run:
   * attempt + 1, failures 0, notBefore null, worker null, result null, not
   * queued (so `claimInit` hands it out); its last error stays for
   * inspection, and its updatedAt (no clock time is given). Returns how many.
   */
  retryFailed(fence: Fence): Promise<number>;
  /**
   * Atomically claims up to `limit` INIT tasks that are not queued, lowest
   * seq first; a claimed task is queued from then on (its status stays INIT):
   * two claims never return the same task, and a status write leaves it
   * queued — only resetForResume, or a retryFailed after it failed, makes it
   * claimable again. How the claim is kept is the backend's: a queued mark
   * per row, or (SQLite) a cursor moved past the claimed rows, which marks
   * them only if a later write moves it back (B10). A task's notBefore does
   * not hold it back: the owner waits it out.
   */
  claimInit(fence: Fence, limit: number): Promise<TaskRow[]>;
  /** Tasks per name and status, omitting empty pairs: rebuilds the counters (X1). */
  countByStatus(instanceId: string): Promise<StatusCount[]>;
  /** Highest seq stored for the instance, or -1. */
  maxSeq(instanceId: string): Promise<number>;
  /** One task by taskId, or null. */
  getTask(instanceId: string, taskId: string): Promise<TaskRow | null>;
  /**
   * One page of the instance's tasks in seq order: those with seq above
   * `q.afterSeq`, in `q.status` and named `q.name` when given, at most
   * `q.limit`. Walks the tasks in seq order and stops at the limit: it never
   * loads the instance's tasks whole. An unknown instance has none.
   */
  listTasks(instanceId: string, q: TaskQuery): Promise<TaskRow[]>;
  /**
   * Every task of the instance with its status and result, in seq order,
   * read page by page (`pageSize` rows at a time) so memory stays bounded (X4).
   */
  results(instanceId: string, pageSize?: number): AsyncIterable<ResultRow>;
  /**
   * B27: stores one dispatched batch as one write (a row with packed arrays).
   * An empty batch stores nothing.
   */
  recordDispatch(fence: Fence, record: DispatchRecord): Promise<void>;
  /**
   * B27: the instance's dispatch records with id above `afterId`, in id
   * order, at most `limit`: a resume reads them page by page. An unknown
   * instance has none.
   */
  listDispatches(instanceId: string, afterId: number, limit: number): Promise<StoredDispatch[]>;
  /**
   * B27: replaces every dispatch record of the instance by `records`, in one
   * transaction (a resume compacts them to the assignments it kept).
   */
  replaceDispatches(fence: Fence, records: readonly DispatchRecord[]): Promise<void>;
  /** Deletes the instance's tasks and dispatch records; the record and its final counters stay (B18). */
  clearTasks(fence: Fence): Promise<void>;
  /**
   * Deletes the tasks of instances that are not RUNNING and whose
   * `retainUntil` is set and <= `now`, and sets their retainUntil to null;
   * at most `limit` instances per call, soonest due first. Not fenced: any
   * master sharing the store may run it, and two running it at once both
   * succeed with each instance swept once. Returns how many it swept.
   * @param limit most instances swept. @default 100
   */
  sweepRetained(now: number, limit?: number): Promise<number>;
  /** Releases connections and files. */
  close(): Promise<void>;
}
