/**
 * What the user API answers with, as zod schemas: the instance view and a
 * page of tasks. The OpenAPI document is built from them, and tests parse
 * real answers with them, so the document cannot drift from the answers.
 */
import { z } from "zod";
import { Json } from "../protocol/messages.ts";

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

/** GET /api/instances/:id (and each item of GET /api/instances, the answer of POST …/retry). */
export const InstanceViewSchema = z.object({
  instanceId: z.string(),
  processor: z.string(),
  status: z.enum(["RUNNING", "SUCCESS", "FAILED"]),
  result: Json,
  serialNum: z.number().int().describe("grows with each cycle of a recurring job and with each retry of failed tasks"),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
  progress: z.object({ names: z.record(z.string(), NameCounts), workers: z.record(z.string(), WorkerCounts) }).nullable(),
  owner: z.string().optional(),
  failedCount: count.describe("sub-tasks of the last run that failed for good"),
  errors: z.array(TaskErrorSummary).max(10).describe("the first of them, with their error's message"),
  retainUntil: z.number().nullable().describe("until when its tasks are kept for inspection and a retry (ms since epoch); null: none are"),
});

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
});
