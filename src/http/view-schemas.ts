/**
 * What the user API answers with, as zod schemas: the instance view and a
 * page of tasks. The OpenAPI document is built from them (their `meta` ids
 * name its components, A2), and tests parse real answers with them, so the
 * document cannot drift from the answers.
 */
import { z } from "zod";
import { Json } from "../protocol/messages.ts";
import type { ResolvedSettings } from "../master/settings.ts";

const count = z.number().int().min(0);

/** Counters of one task name (B13). */
export const NameCounts = z.object({ total: count, init: count, pulled: count, running: count, success: count, failed: count });
/** Counters of one worker incarnation (B13). */
export const WorkerCounts = z.object({ total: count, pulled: count, running: count, success: count, failed: count, traceId: z.string().optional() });

/** One failed task as the instance lists it (B25). */
export const TaskErrorSummary = z.object({
  taskId: z.string(),
  name: z.string(),
  attempt: count,
  worker: z.string().nullable().describe("workerId#incarnation it failed at"),
  message: z.string(),
});

const ms = z.number().int().min(0);

/** A job's settings with every default filled in (src/master/settings.ts, docs/processors.md): an instance view's `settings`. */
export const ResolvedSettingsSchema = z.object({
  dispatchMode: z.enum(["push", "pull"]),
  pageSize: z.number().int(),
  queueSize: z.number().int(),
  dispatchers: z.number().int(),
  consumerSize: z.number().int(),
  globalConsumerSize: z.number().int(),
  dispatchSpeed: z.string().nullable().describe("tasks per unit of time, like \"200/s\"; null: unlimited"),
  failover: z.boolean(),
  execOnMaster: z.boolean(),
  route: z.enum(["round-robin", "worker-load"]),
  randomStart: z.boolean(),
  targetWorkers: z.array(z.string()).nullable(),
  every: ms.nullable().describe("period of a recurring job, ms; null: not recurring"),
  maxCycles: z.number().int().nullable(),
  workerWaitMs: ms,
  heartbeatMs: ms,
  livenessTimeoutMs: ms,
  statusCheckMs: ms,
  progressMs: ms,
  pullWaitMs: ms,
  maxBodyBytes: z.number().int(),
  maxResultBytes: z.number().int(),
  runReduceIfFail: z.boolean().nullable(),
  taskMaxAttempts: z.number().int(),
  taskRetryDelay: ms,
  taskRetryBackoff: z.enum(["fixed", "exponential"]),
  taskRetryDelayMax: ms,
  taskTimeout: ms.nullable(),
  timeout: ms.nullable(),
  maxFailedTasks: z.union([z.number().int(), z.string()]).describe("a count, or a percentage written \"N%\""),
  failFast: z.boolean(),
  retainTasks: z.enum(["failed", "all", "none"]),
  retainFor: ms,
}).meta({ id: "ResolvedSettings" });

/** Fails to compile when the schema and ResolvedSettings part ways (a field added to one only). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const settingsMatch: Same<z.infer<typeof ResolvedSettingsSchema>, ResolvedSettings> = true;
void settingsMatch;

/** GET /api/instances/:id (and each item of GET /api/instances, the answer of POST …/retry). */
export const InstanceViewSchema = z.object({
  instanceId: z.string(),
  processor: z.string(),
  status: z.enum(["RUNNING", "SUCCESS", "FAILED"]),
  result: Json,
  serialNum: z.number().int().describe("grows with each cycle of a recurring job and with each retry of failed tasks"),
  params: Json.describe("the params it was submitted with (null: none)"),
  settings: ResolvedSettingsSchema,
  createdAt: z.number().describe("when it was submitted (ms since epoch)"),
  startedAt: z.number().nullable().describe("when its current run started: a retry of failed tasks or a recurring cycle starts it again (ms since epoch)"),
  finishedAt: z.number().nullable().describe("when it ended (ms since epoch); null while RUNNING"),
  progress: z.object({ names: z.record(z.string(), NameCounts), workers: z.record(z.string(), WorkerCounts) }).nullable(),
  owner: z.string().optional(),
  failedCount: count.describe("sub-tasks of the last run that failed for good"),
  errors: z.array(TaskErrorSummary).max(10).describe("the first of them, with their error's message"),
  retainUntil: z.number().nullable().describe("until when its tasks are kept for inspection and a retry (ms since epoch); null: none are"),
}).meta({ id: "InstanceView" });

/** One task of GET /api/instances/:id/tasks. */
export const TaskViewSchema = z.object({
  taskId: z.string(),
  name: z.string(),
  status: z.enum(["INIT", "PULLED", "RUNNING", "SUCCESS", "FAILED"]),
  attempt: count.describe("its run's attempt: grows with each retry and failover"),
  worker: z.string().nullable().describe("workerId#incarnation it was handed to"),
  failures: count.describe("runs of it that ended in failure"),
  error: z.object({ message: z.string(), stack: z.string().optional() }).optional().describe("why its last run failed"),
  result: Json.optional().describe("its result, once it ended"),
  updatedAt: z.number().describe("when it was last written (ms)"),
});

/** GET /api/instances/:id/tasks. */
export const TaskPageSchema = z.object({
  tasks: z.array(TaskViewSchema),
  cursor: z.string().nullable().describe("pass it as ?cursor= for the next page; null at the end"),
}).meta({ id: "TaskPage" });
