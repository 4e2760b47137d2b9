/**
 * The zod schemas of the user API's requests and replies: the routes
 * validate requests with them and the OpenAPI document is generated from
 * them (api-routes.ts), so the two cannot drift apart.
 */
import { z } from "@hono/zod-openapi";
import { Json } from "../protocol/messages.ts";
import { DEFAULT_PAGE, MAX_PAGE } from "../master/task-pages.ts";
import { InstanceViewSchema } from "./view-schemas.ts";
import type { JobSettings } from "../master/settings.ts";

/** The JSON body of every error reply. */
export const ErrorBodySchema = z.object({
  error: z.string().describe("what went wrong, and what was expected"),
  field: z.string().optional().describe("the field, parameter or header to blame"),
}).openapi("Error");

const duration = z.union([z.number().int().min(0), z.string()]).describe("ms, or like \"30s\", \"5m\", \"1h\", \"7d\"");

/**
 * Job settings as a user writes them (JobSettings, src/master/settings.ts): every field
 * optional, unknown ones refused. Documents the submit's `settings`; the master checks them
 * (resolveSettings), so its messages name the field and what was expected.
 */
export const JobSettingsSchema = z.object({
  dispatchMode: z.enum(["push", "pull"]), pageSize: z.number().int(), queueSize: z.number().int(), dispatchers: z.number().int(),
  consumerSize: z.number().int(), globalConsumerSize: z.number().int(),
  dispatchSpeed: z.union([z.string(), z.number(), z.null()]).describe("\"200/s\", \"50/m\", \"1000/h\", or a number per second"),
  failover: z.boolean(), execOnMaster: z.boolean(), route: z.enum(["round-robin", "worker-load"]), randomStart: z.boolean(),
  targetWorkers: z.array(z.string()).nullable(), every: duration.nullable(), maxCycles: z.number().int().nullable(),
  workerWaitMs: z.number().int(), heartbeatMs: z.number().int(), livenessTimeoutMs: z.number().int(), statusCheckMs: z.number().int(),
  progressMs: z.number().int(), pullWaitMs: z.number().int(), maxBodyBytes: z.number().int(), maxResultBytes: z.number().int(),
  runReduceIfFail: z.boolean().nullable(), taskMaxAttempts: z.number().int(), taskRetryDelay: duration,
  taskRetryBackoff: z.enum(["fixed", "exponential"]), taskRetryDelayMax: duration, taskTimeout: duration.nullable(), timeout: duration.nullable(),
  maxFailedTasks: z.union([z.number().int(), z.string()]).describe("a count, or a percentage like \"1%\""), failFast: z.boolean(),
  retainTasks: z.enum(["failed", "all", "none"]), retainFor: duration,
}).partial().strict().openapi("JobSettings");

/** Fails to compile when JobSettingsSchema and JobSettings part ways (a setting added to one only). */
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
const jobSettingsMatch: SameKeys<z.infer<typeof JobSettingsSchema>, JobSettings> = true;
void jobSettingsMatch;

/** Body of POST /api/instances. */
export const SubmitBody = z.object({
  processor: z.string().min(1).max(256).describe("name of a processor loaded on the master (GET /api/processors)"),
  // Checked by the master (its messages name the setting); documented as JobSettings.
  settings: z.record(z.string(), z.unknown()).optional()
    .openapi({ $ref: "#/components/schemas/JobSettings" } as never)
    .describe("job settings (docs/processors.md, \"Job settings and their defaults\"); unknown names are refused"),
  params: Json.optional().describe("the params every task of the instance sees (JSON)"),
  instanceId: z.string().min(1).max(128).optional()
    .describe("a create-once key (A1): submitted again with the same processor, params and settings it answers 200 with that instance; anything different is 409"),
}).openapi("Submission");
/** Reply of POST /api/instances. */
export const SubmitReply = z.object({ instanceId: z.string() });
/** Body of the kill routes. */
export const KillBody = z.object({ reason: z.string().max(1000).optional() });
/** Reply of the kill routes. */
export const Killed = z.object({ killed: z.literal(true) });
/** Body of POST /api/instances/:id/retry: nothing to say yet, but JSON. */
export const RetryBody = z.object({});

/** Query of GET /api/instances (A3). */
export const ListQuery = z.object({
  status: z.enum(["RUNNING", "SUCCESS", "FAILED"]).optional().describe("only instances in this status"),
  processor: z.string().min(1).max(256).optional().describe("only instances of this processor"),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe("instances per page (default 100)"),
  before: z.string().min(1).max(128).optional().describe("the `next` of the page before; absent for the first"),
});
/** Reply of GET /api/instances (A3). */
export const InstanceList = z.object({
  instances: z.array(InstanceViewSchema).describe("newest first"),
  next: z.string().nullable().describe("pass it as ?before= for the next page; null when this page is the last"),
});

/** Reply of GET /api/processors (A4). */
export const ProcessorList = z.object({
  processors: z.array(z.object({ name: z.string(), kind: z.enum(["map", "mapReduce"]) })).describe("sorted by name"),
});

/** Reply of GET /health. */
export const Health = z.object({ ok: z.literal(true), running: z.number().int(), workers: z.number().int() });

/** Path parameter of the instance routes. */
export const IdParam = z.object({ id: z.string().min(1).openapi({ param: { name: "id", in: "path" }, description: "the instance's id" }) });
/** Path parameters of the task kill route. */
export const TaskParam = IdParam.extend({ taskId: z.string().min(1).openapi({ param: { name: "taskId", in: "path" }, description: "the task's id" }) });

/**
 * Query of GET /api/instances/:id/tasks, as strings: the rules (status
 * names, 1-1,000 tasks a page, cursors) are the master's (task-pages.ts),
 * so a bad value is refused there, naming the field; the document shows them.
 */
export const TasksQuery = z.object({
  status: z.string().optional().openapi({ param: { description: "only tasks in this status" }, enum: ["INIT", "PULLED", "RUNNING", "SUCCESS", "FAILED"] }),
  name: z.string().optional().openapi({ param: { description: "only tasks of this name" }, minLength: 1, maxLength: 256 }),
  limit: z.string().optional().openapi({ param: { description: "tasks per page" }, type: "integer", minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE } as never),
  cursor: z.string().optional().openapi({ param: { description: "the `cursor` of the page before (opaque); absent for the first" } }),
});
