/**
 * Every message between master and workers, described with zod so that each
 * side validates what it receives. The in-process transport serializes them
 * exactly as HTTP does, so the two are interchangeable.
 */
import { z } from "zod";

/**
 * Any JSON value (task bodies, params, results) — present, that is. Every message arrives
 * through JSON.parse (HTTP, or the in-process transport's round trip), so a value that is
 * there is JSON already; walking bodies and results again cost more than all the rest of the
 * validation together (a tenth of the master's time at 100k tasks/s).
 */
export const Json: z.ZodType<JsonValue> = z.custom<JsonValue>((v) => v !== undefined, { message: "Expected a JSON value" })
  // What documents generated from the schemas (OpenAPI, A2) say of it: a custom check has no schema of its own.
  .meta({ description: "any JSON value", type: ["string", "number", "boolean", "null", "array", "object"] } as never);
/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

const id = z.string().min(1).max(256);
const count = z.number().int().min(0);
const fraction = z.number().min(0).max(1).nullable();

/** A worker's load, sent with every report and heartbeat (B7). */
export const LoadReport = z.object({
  /** Free container slots for the instance (reports) or in all (heartbeats). */
  freeSlots: count,
  cpuFree: fraction,
  memFree: fraction,
});
export type LoadReport = z.infer<typeof LoadReport>;

/** A random key (a secret or a credential, H13, H16): 32 hex digits as made, any 16-128 characters accepted. */
export const Key = z.string().min(16).max(128);
const key = Key;

/**
 * A worker's identity as it proves it to a master: id, and the incarnation and its secret the
 * master gave it at registration (H13). The secret is what counts: incarnation numbers are
 * visible in the API, the secret never is.
 */
export const WorkerRef = z.object({ workerId: id, incarnation: count, secret: key });
export type WorkerRef = z.infer<typeof WorkerRef>;

/** The worker incarnation a master addresses (no secret: the master proves itself with its credential instead). */
export const Addressee = z.object({ workerId: id, incarnation: count });
export type Addressee = z.infer<typeof Addressee>;

/** What a task is to run, as a worker holds it (on the wire tasks travel as TaskColumns, W1). */
export interface TaskSpec {
  handle: number;
  taskId: string;
  name: string;
  body: JsonValue;
  attempt: number;
}

/**
 * W1: the tasks of a start batch or a pull's reply, column-wise — one array per field, the
 * i-th task being the i-th item of each; names interned (each once in `names`, each task
 * giving its index in `nameIdx`). Why: a task as an object of five keys cost each side its
 * key strings and an object per task, on the wire and in JSON.parse.
 */
export const TaskColumns = z.object({
  handles: z.array(count),
  taskIds: z.array(id),
  /** The batch's task names, each once. */
  names: z.array(id),
  /** Each task's name, as its index in `names`. */
  nameIdx: z.array(count),
  bodies: z.array(Json),
  attempts: z.array(count),
}).superRefine((v, ctx) => {
  sameLengths(v, ["handles", "taskIds", "nameIdx", "bodies", "attempts"], ctx);
  indexesBelow(v.nameIdx, v.names.length, "nameIdx", "names", ctx);
});
export type TaskColumns = z.infer<typeof TaskColumns>;

type Ctx = z.core.$RefinementCtx;

/** Adds an issue naming each of `keys` whose array is not as long as the first's. */
function sameLengths(v: Record<string, unknown>, keys: readonly string[], ctx: Ctx): void {
  const n = (v[keys[0]!] as unknown[]).length;
  for (const k of keys) {
    const len = (v[k] as unknown[]).length;
    if (len !== n) ctx.addIssue({ code: "custom", path: [k], message: `Expected ${n} items (as many as ${keys[0]}), got ${len}` });
  }
}

/** Adds an issue naming the first item of `list` that is not an index below `n` (`pair`: items are [index, value]). */
function indexesBelow(list: readonly unknown[], n: number, key: string, of: string, ctx: Ctx, pair = false): void {
  for (let i = 0; i < list.length; i++) {
    const x = (pair ? (list[i] as [number])[0] : list[i]) as number;
    if (x >= n) return ctx.addIssue({ code: "custom", path: pair ? [key, i, 0] : [key, i], message: `Expected an index into ${of} (below ${n}), got ${x}` });
  }
}

/** The part of an instance a worker needs to run its tasks. */
export const InstanceSpec = z.object({
  instanceId: id,
  serialNum: count,
  processor: id,
  /** The instance's params: only when the worker incarnation may not hold the pool yet (M6); a pool keeps them. */
  params: Json.optional(),
  consumerSize: z.number().int().min(1),
  /**
   * The sending master's fencing token. When two masters claim one instance
   * (a takeover), a worker keeps the pool of the newer token and refuses the
   * deposed master's batches. Absent: 0.
   */
  fence: count.optional(),
  /** The job's taskTimeout, ms: a run still going this long after it started is aborted (B22). Absent: none. */
  taskTimeout: z.number().int().min(1).optional(),
});
export type InstanceSpec = z.infer<typeof InstanceSpec>;

// ---- master → worker ----
// Each names its sender (`master`, the address the worker registered with) and carries that master's
// credential from the register reply: a worker refuses a message whose credential is not its master's (H16).

/** Push dispatch: run these tasks (B3), column-wise (W1). Acknowledged on acceptance. */
export const StartBatch = z.object({ type: z.literal("start"), master: id, credential: key, instance: InstanceSpec, worker: Addressee, tasks: TaskColumns });
/** Pull mode: pull tasks of this instance from the master (B4). */
export const NotifyPull = z.object({ type: z.literal("notifyPull"), master: id, credential: key, instance: InstanceSpec, worker: Addressee, pageSize: z.number().int().min(1) });
/** Abort one task (B17). */
export const KillTask = z.object({ type: z.literal("killTask"), master: id, credential: key, instanceId: id, taskId: id, reason: z.string() });
/** Abort every task of an instance (B17). */
export const KillInstance = z.object({ type: z.literal("killInstance"), master: id, credential: key, instanceId: id, reason: z.string() });
/** Free the instance's resources on the worker (B18). */
export const DestroyPool = z.object({ type: z.literal("destroyPool"), master: id, credential: key, instanceId: id });

// ---- worker → master ----

/** Most held tasks a registration lists (B28): a worker holding more lists these, and the rest fail over. */
export const MAX_HELD = 100_000;

/** A task a worker still holds — queued, running, or reported without an answer yet (B28). */
export const HeldTask = z.object({ instanceId: id, taskId: id, attempt: count });
export type HeldTask = z.infer<typeof HeldTask>;

/**
 * Join the fleet; the reply carries a new incarnation, its secret and the master's credential.
 * `ownKey`: the key the master handed its own in-process worker; registering under the
 * master's own worker id takes it (H17), any other worker sends none. A worker that finds
 * its master restarted lists the tasks it still holds (`held`, at most MAX_HELD): the
 * master gives them to the new incarnation (B28).
 */
export const Register = z.object({
  type: z.literal("register"), workerId: id, address: id, slots: z.number().int().min(1), load: LoadReport, ownKey: key.optional(),
  held: z.array(HeldTask).max(MAX_HELD).optional(),
});
/** Most instances a heartbeat names as adrift (B36): a worker holding more asks about these first. */
export const MAX_ADRIFT = 1000;

/**
 * Liveness and load; lists the instances the worker holds a pool for (B14). B36: `adrift`
 * names instances whose pools the worker holds for another master that stopped answering
 * (the reply says which of them a master knows the owner of); `held` lists the tasks of
 * instances the worker hands over to this master, their new owner, which adopts them.
 */
export const Heartbeat = z.object({
  type: z.literal("heartbeat"), worker: WorkerRef, load: LoadReport, instances: z.array(id),
  adrift: z.array(id).max(MAX_ADRIFT).optional(),
  held: z.array(HeldTask).max(MAX_HELD).optional(),
});
/** A task run's error as a worker sends it: the thrown message and stack (bounded by the worker), or the result of ok: false. */
export const TaskErrorWire = z.object({ message: z.string(), stack: z.string().optional() });

/** W2: a report's status on the wire, as users read status codes (RUNNING 3, SUCCESS 4, FAILED 5). */
export const WIRE_STATUS = { RUNNING: 3, SUCCESS: 4, FAILED: 5 } as const;
export type WireStatus = (typeof WIRE_STATUS)[keyof typeof WIRE_STATUS];

/** One task's status change, as a worker keeps it until sent (on the wire: ReportColumns, W2). */
export interface TaskReport {
  instanceId: string;
  serialNum: number;
  handle: number;
  taskId: string;
  attempt: number;
  status: "RUNNING" | "SUCCESS" | "FAILED";
  result?: JsonValue;
  /** Why a FAILED run failed: the thrown message and stack (bounded by the worker), or the result of ok: false. */
  error?: { message: string; stack?: string };
  traceId?: string;
  /** How long the run took on the worker, ms (final reports of runs that started): the master's run-time histogram (A5). */
  runMs?: number;
}

/**
 * W2: the reports of one instance cycle in a report batch, column-wise: the instance named
 * once, then one array per field (the i-th report is the i-th item of each). `results` and
 * `runMs` hold null where a report has none (RUNNING); errors and trace ids, rare, are
 * listed apart as [index, value] pairs.
 */
export const ReportColumns = z.object({
  instanceId: id,
  serialNum: count,
  handles: z.array(count),
  taskIds: z.array(id),
  attempts: z.array(count),
  statuses: z.array(z.union([z.literal(3), z.literal(4), z.literal(5)])),
  results: z.array(Json),
  runMs: z.array(count.max(2 ** 31).nullable()),
  errors: z.array(z.tuple([count, TaskErrorWire])).optional(),
  traceIds: z.array(z.tuple([count, z.string().max(256)])).optional(),
}).superRefine((v, ctx) => {
  sameLengths(v, ["handles", "taskIds", "attempts", "statuses", "results", "runMs"], ctx);
  indexesBelow(v.errors ?? [], v.handles.length, "errors", "handles", ctx, true);
  indexesBelow(v.traceIds ?? [], v.handles.length, "traceIds", "handles", ctx, true);
});
export type ReportColumns = z.infer<typeof ReportColumns>;
/** Why a worker refused a batch that rode on a report's reply (W4): the refusals of a start request it can give. */
export const NackCode = z.enum(["not_running", "rejected", "params_needed"]);
export type NackCode = z.infer<typeof NackCode>;

/** W4: a start batch riding on the reply to a worker's report, with the id the worker acknowledges it by. */
export const RidingBatch = z.object({ id: z.number().int().min(1), instance: InstanceSpec, tasks: TaskColumns });
export type RidingBatch = z.infer<typeof RidingBatch>;

/** A batch of status reports (B11), one column group per instance cycle (W2), with the worker's load. */
export const ReportBatch = z.object({
  type: z.literal("report"),
  worker: WorkerRef,
  load: LoadReport,
  reports: z.array(ReportColumns),
  /** W4: the last id of the batches that rode on report replies this worker received. Absent: none. */
  ack: count.optional(),
  /** W4: the received batches it refused, as [id, code, why]. */
  nacks: z.array(z.tuple([count, NackCode, z.string().max(4096)])).optional(),
});
/** Fan-out from a running task (B2): store these bodies as children. */
export const MapBatch = z.object({
  type: z.literal("map"),
  worker: WorkerRef,
  instanceId: id,
  serialNum: count,
  parentTaskId: id,
  parentHandle: count,
  parentAttempt: count,
  mapCall: count,
  taskName: id,
  bodies: z.array(Json),
  /** Index of the first body in its map call: a call sent in pages numbers its children across them (B32). @default 0 */
  first: count.optional(),
  /** Idempotency key: a retried batch is stored once. */
  key: id,
});
/**
 * Pull mode: give me at most `max` tasks (B4); W5: and take these reports (of any instance,
 * as in a report batch), so a pull returns results and takes work in one exchange.
 */
export const Pull = z.object({
  type: z.literal("pull"), worker: WorkerRef, instanceId: id, serialNum: count, max: z.number().int().min(1),
  reports: z.array(ReportColumns).optional(),
});

/** Every message a worker endpoint accepts. */
export const WorkerMessage = z.discriminatedUnion("type", [StartBatch, NotifyPull, KillTask, KillInstance, DestroyPool]);
export type WorkerMessage = z.infer<typeof WorkerMessage>;
/** Every message a master endpoint accepts. */
export const MasterMessage = z.discriminatedUnion("type", [Register, Heartbeat, ReportBatch, MapBatch, Pull]);
export type MasterMessage = z.infer<typeof MasterMessage>;
/** Any message. */
export type Message = WorkerMessage | MasterMessage;

export type StartBatch = z.infer<typeof StartBatch>;
export type NotifyPull = z.infer<typeof NotifyPull>;
export type KillTask = z.infer<typeof KillTask>;
export type KillInstance = z.infer<typeof KillInstance>;
export type DestroyPool = z.infer<typeof DestroyPool>;
export type Register = z.infer<typeof Register>;
export type Heartbeat = z.infer<typeof Heartbeat>;
export type ReportBatch = z.infer<typeof ReportBatch>;
export type MapBatch = z.infer<typeof MapBatch>;
export type Pull = z.infer<typeof Pull>;
