/**
 * The OpenAPI 3.1 document of the master's HTTP API, built from the same zod
 * schemas that validate requests.
 */
import { z } from "zod";
import { Register, Heartbeat, ReportBatch, MapBatch, Pull, StartBatch, NotifyPull, KillTask, KillInstance, DestroyPool } from "../protocol/messages.ts";
import { MESSAGE_ROUTES } from "./routes.ts";

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
  };
}

let cached: unknown;

/** The document (built once). */
export function openApiDocument(): unknown {
  if (cached) return cached;
  const paths: Record<string, unknown> = {
    "/api/instances": {
      post: {
        summary: "Submit an instance of a processor", requestBody: body(z.object({ processor: z.string(), settings: z.record(z.string(), z.unknown()).optional(), params: z.unknown().optional(), instanceId: z.string().optional() })),
        responses: { ...responses("created"), "201": { description: "created: {instanceId}" } },
      },
      get: { summary: "List instances, newest first (?status=RUNNING|SUCCESS|FAILED&limit=N)", responses: responses("{instances}") },
    },
    "/api/instances/{id}": { get: { summary: "One instance: status, result, progress", responses: { ...responses("the instance"), "404": { description: "unknown instance" } } } },
    "/api/instances/{id}/events": { get: { summary: "Progress as Server-Sent Events (event: progress, then done)", responses: { "200": { description: "text/event-stream" }, "404": { description: "unknown instance" } } } },
    "/api/instances/{id}/kill": { post: { summary: "Kill an instance", requestBody: body(z.object({ reason: z.string().optional() })), responses: { ...responses("{killed: true}"), "404": { description: "unknown instance" } } } },
    "/api/instances/{id}/tasks/{taskId}/kill": { post: { summary: "Kill one task", requestBody: body(z.object({ reason: z.string().optional() })), responses: { ...responses("{killed: true}"), "404": { description: "unknown instance or task" } } } },
    "/health": { get: { summary: "Liveness", responses: { "200": { description: "{ok, running, workers}" } } } },
    "/metrics": { get: { summary: "Prometheus metrics", responses: { "200": { description: "text/plain; version=0.0.4" } } } },
  };
  const worker: Array<[keyof typeof MESSAGE_ROUTES, z.ZodType, string]> = [
    ["register", Register, "Worker: register (reply: incarnation)"],
    ["heartbeat", Heartbeat, "Worker: heartbeat with load and the instances it runs"],
    ["report", ReportBatch, "Worker: a batch of task status reports (409: re-register)"],
    ["map", MapBatch, "Worker: store a batch of child tasks (429 + Retry-After: slow down)"],
    ["pull", Pull, "Worker: pull tasks (pull mode)"],
  ];
  for (const [type, schema, summary] of worker) paths[MESSAGE_ROUTES[type]] = { post: { summary, requestBody: body(schema), responses: responses("ok") } };
  const workerApp: Array<[keyof typeof MESSAGE_ROUTES, z.ZodType, string]> = [
    ["start", StartBatch, "Worker app: accept a batch of tasks"],
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
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } }, "x-worker-endpoints": components },
    security: [{ bearer: [] }],
    paths,
  };
  return cached;
}
