/**
 * The OpenAPI 3.1 document of the master's HTTP API, built from the same zod
 * schemas that validate requests.
 */
import { z } from "zod";
import { Register, Heartbeat, ReportBatch, MapBatch, Pull, StartBatch, NotifyPull, KillTask, KillInstance, DestroyPool } from "../protocol/messages.ts";
import { MESSAGE_ROUTES } from "./routes.ts";
import { InstanceViewSchema, TaskPageSchema } from "./view-schemas.ts";
import { RetryBody } from "./task-routes.ts";
import { DEFAULT_PAGE, MAX_PAGE } from "../master/task-pages.ts";

const error = { type: "object", properties: { error: { type: "string" }, field: { type: "string" } }, required: ["error"] };

function body(schema: z.ZodType) {
  return { required: true, content: { "application/json": { schema: z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) } } };
}

function responses(ok: string) {
  return {
    "200": { description: ok },
    "400": { description: "invalid request: names the field", content: { "application/json": { schema: error } } },
    "401": { description: "missing or wrong bearer token" },
    "413": { description: "request body too large" },
    "421": { description: "the Host header is not a name this server answers to (H4): names host", content: { "application/json": { schema: error } } },
  };
}

/** A JSON answer whose schema is one of the document's components. */
function answer(description: string, component: string) {
  return { description, content: { "application/json": { schema: { $ref: `#/components/schemas/${component}` } } } };
}

const errorAnswer = (description: string) => ({ description, content: { "application/json": { schema: error } } });

const idParam = { name: "id", in: "path", required: true, schema: { type: "string" } };

/** GET /api/instances/{id}/tasks: the query, with the master's own bounds (task-pages.ts). */
const taskParams = [
  idParam,
  { name: "status", in: "query", schema: { type: "string", enum: ["INIT", "PULLED", "RUNNING", "SUCCESS", "FAILED"] }, description: "only tasks in this status" },
  { name: "name", in: "query", schema: { type: "string", minLength: 1, maxLength: 256 }, description: "only tasks of this name" },
  { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE }, description: "tasks per page" },
  { name: "cursor", in: "query", schema: { type: "string" }, description: "the cursor of the page before (opaque); absent for the first" },
];

let cached: unknown;

/** The document (built once). */
export function openApiDocument(): unknown {
  if (cached) return cached;
  const paths: Record<string, unknown> = {
    "/api/instances": {
      post: {
        summary: "Submit an instance of a processor", requestBody: body(z.object({ processor: z.string(), settings: z.record(z.string(), z.unknown()).optional(), params: z.unknown().optional(), instanceId: z.string().optional() })),
        responses: {
          ...responses("created"), "201": { description: "created: {instanceId}" },
          "429": errorAnswer("the master runs its cap of instances (--max-instances); Retry-After says when to try again"),
        },
      },
      get: { summary: "List instances, newest first (?status=RUNNING|SUCCESS|FAILED&limit=N)", responses: responses("{instances}") },
    },
    "/api/instances/{id}": { get: { summary: "One instance: status, result, progress, failed tasks and their first errors", parameters: [idParam], responses: { ...responses("the instance"), "200": answer("the instance", "InstanceView"), "404": errorAnswer("unknown instance") } } },
    "/api/instances/{id}/tasks": {
      get: {
        summary: "A page of the instance's tasks in task order, with their error (a running instance on another master: its owner's live state, else the stored state)",
        parameters: taskParams,
        responses: { ...responses("a page"), "200": answer("a page of tasks and the cursor of the next (null at the end)", "TaskPage"), "404": errorAnswer("unknown instance") },
      },
    },
    "/api/instances/{id}/retry": {
      post: {
        summary: "Run a FAILED instance again over its failed tasks (its succeeded tasks kept); taken by the master asked",
        parameters: [idParam], requestBody: body(RetryBody),
        responses: {
          ...responses("the instance, RUNNING under a new serialNum"), "200": answer("the instance, RUNNING under a new serialNum", "InstanceView"),
          "404": errorAnswer("unknown instance"),
          "409": errorAnswer("refused: RUNNING, SUCCESS, recurring, tasks no longer kept (says which retainTasks/retainFor keeps them), or processor not loaded here"),
          "429": errorAnswer("the master runs its cap of instances (--max-instances); Retry-After says when to try again"),
          "503": errorAnswer("shared masters: the master it ended on still holds its lease (Retry-After says how long)"),
        },
      },
    },
    "/api/instances/{id}/events": {
      get: {
        summary: "Progress as Server-Sent Events (event: progress, then done; a `: keepalive` comment every 15 s)",
        responses: {
          "200": { description: "text/event-stream" }, "404": { description: "unknown instance" },
          "429": errorAnswer("the master serves its cap of event streams (maxEventStreams); Retry-After says when to try again"),
        },
      },
    },
    "/api/instances/{id}/kill": { post: { summary: "Kill an instance", requestBody: body(z.object({ reason: z.string().optional() })), responses: { ...responses("{killed: true}"), "404": { description: "unknown instance" } } } },
    "/api/instances/{id}/tasks/{taskId}/kill": { post: { summary: "Kill one task", requestBody: body(z.object({ reason: z.string().optional() })), responses: { ...responses("{killed: true}"), "404": { description: "unknown instance or task" } } } },
    "/health": { get: { summary: "Liveness", responses: { "200": { description: "{ok, running, workers}" } } } },
    "/metrics": { get: { summary: "Prometheus metrics", responses: { "200": { description: "text/plain; version=0.0.4" } } } },
  };
  const worker: Array<[keyof typeof MESSAGE_ROUTES, z.ZodType, string]> = [
    ["register", Register, "Worker: register (reply: incarnation, its secret and the master's credential; 403 for the master's own worker id)"],
    ["heartbeat", Heartbeat, "Worker: heartbeat with load and the instances it runs"],
    ["report", ReportBatch, "Worker: a batch of task status reports (409: re-register; also for a wrong secret)"],
    ["map", MapBatch, "Worker: store a batch of child tasks (429 + Retry-After: slow down)"],
    ["pull", Pull, "Worker: pull tasks (pull mode)"],
  ];
  for (const [type, schema, summary] of worker) paths[MESSAGE_ROUTES[type]] = { post: { summary, requestBody: body(schema), responses: responses("ok") } };
  const workerApp: Array<[keyof typeof MESSAGE_ROUTES, z.ZodType, string]> = [
    ["start", StartBatch, "Worker app: accept a batch of tasks (403 without the master's credential)"],
    ["notifyPull", NotifyPull, "Worker app: start pulling an instance's tasks"],
    ["killTask", KillTask, "Worker app: kill a task"],
    ["killInstance", KillInstance, "Worker app: kill an instance's tasks"],
    ["destroyPool", DestroyPool, "Worker app: free an instance's pool"],
  ];
  const components: Record<string, unknown> = {};
  for (const [type, schema, summary] of workerApp) components[type] = { summary, path: `{workerAddress}${MESSAGE_ROUTES[type]}`, schema: z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) };
  cached = {
    openapi: "3.1.0",
    info: { title: "taskmill master", version: "0.1.0", description: "Submit and watch Map/MapReduce instances; the worker protocol. Every route requires `Authorization: Bearer <token>` when the master has a token." },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        InstanceView: z.toJSONSchema(InstanceViewSchema, { io: "output", unrepresentable: "any" }),
        TaskPage: z.toJSONSchema(TaskPageSchema, { io: "output", unrepresentable: "any" }),
      },
      "x-worker-endpoints": components,
    },
    security: [{ bearer: [] }],
    paths,
  };
  return cached;
}
