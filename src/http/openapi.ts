/**
 * The OpenAPI 3.1 document of the master's HTTP API, generated from the zod
 * schemas that validate the requests: the user routes from their route
 * definitions (api-routes.ts), served by masterApi; the worker protocol's
 * routes (tags "worker protocol" and "worker endpoint") from the message
 * schemas its endpoints check — documented here only, so their hot path
 * (endpoint-app.ts) stays as it is.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { z } from "zod";
import { Register, Heartbeat, ReportBatch, MapBatch, Pull, StartBatch, NotifyPull, KillTask, KillInstance, DestroyPool } from "../protocol/messages.ts";
import { MESSAGE_ROUTES } from "./routes.ts";
import { ErrorBodySchema, JobSettingsSchema } from "./api-schemas.ts";

/** Worker protocol messages a master takes: type, schema, summary. */
const TO_MASTER: Array<[keyof typeof MESSAGE_ROUTES, z.ZodType, string]> = [
  ["register", Register, "Worker: register (reply: incarnation, its secret and the master's credential; 403 for the master's own worker id)"],
  ["heartbeat", Heartbeat, "Worker: heartbeat with load and the instances it runs"],
  ["report", ReportBatch, "Worker: a batch of task status reports (409: re-register; also for a wrong secret)"],
  ["map", MapBatch, "Worker: store a batch of child tasks (429 + Retry-After: slow down)"],
  ["pull", Pull, "Worker: pull tasks (pull mode)"],
];
/** Messages a worker's endpoint takes from its masters. */
const TO_WORKER: Array<[keyof typeof MESSAGE_ROUTES, z.ZodType, string]> = [
  ["start", StartBatch, "Worker endpoint: accept a batch of tasks (403 without the master's credential)"],
  ["notifyPull", NotifyPull, "Worker endpoint: start pulling an instance's tasks"],
  ["killTask", KillTask, "Worker endpoint: kill a task"],
  ["killInstance", KillInstance, "Worker endpoint: kill an instance's tasks"],
  ["destroyPool", DestroyPool, "Worker endpoint: free an instance's pool"],
];

const documented = new WeakSet<OpenAPIHono>();
const cache = new WeakMap<OpenAPIHono, Record<string, unknown>>();

/** Adds the worker protocol's routes to `app`'s registry (documentation only: no handler). */
function documentWorkerProtocol(app: OpenAPIHono): void {
  if (documented.has(app)) return;
  documented.add(app);
  const error = { description: "refused: `{error, field?}` (REFUSAL_STATUS maps codes to statuses)", content: { "application/json": { schema: ErrorBodySchema } } };
  const add = (path: string, schema: z.ZodType, summary: string, tag: string, servers?: Array<{ url: string; description: string }>) => {
    app.openAPIRegistry.registerPath({
      method: "post", path, summary, tags: [tag], ...(servers ? { servers } : {}),
      request: { body: { required: true, content: { "application/json": { schema } } } },
      responses: { 200: { description: "the message's reply (src/protocol/replies.ts)" }, 400: error, 401: error, 403: error, 409: error, 410: error, 413: error, 422: error, 428: error, 429: error },
    });
  };
  for (const [type, schema, summary] of TO_MASTER) add(MESSAGE_ROUTES[type], schema, summary, "worker protocol");
  // Served by each worker at its own address, not by the master.
  const servers = [{ url: "{workerAddress}", description: "the worker's address as it registered", variables: { workerAddress: { default: "http://127.0.0.1:7001" } } }];
  for (const [type, schema, summary] of TO_WORKER) add(MESSAGE_ROUTES[type], schema, summary, "worker endpoint", servers);
}

/** The document of `app` (masterApi's), built once per app. */
export function openApiDocument(app: OpenAPIHono): Record<string, unknown> {
  const hit = cache.get(app);
  if (hit) return hit;
  documentWorkerProtocol(app);
  // Named by the submit's `settings`, which the master checks itself (api-schemas.ts).
  app.openAPIRegistry.register("JobSettings", JobSettingsSchema);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  const doc = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "taskmill master", version: "0.1.0",
      description: "Submit, list and watch Map/MapReduce instances, page through their tasks, retry and kill; the worker protocol (tags `worker protocol`, `worker endpoint`). Every route requires `Authorization: Bearer <token>` when the master has a token.",
    },
    security: [{ bearer: [] }],
    tags: [
      { name: "instances" }, { name: "tasks" }, { name: "processors" }, { name: "operations" },
      { name: "worker protocol", description: "what workers send a master (not for users)" },
      { name: "worker endpoint", description: "what a master sends a worker, at the worker's address (not for users)" },
    ],
  });
  cache.set(app, doc as unknown as Record<string, unknown>);
  return doc as unknown as Record<string, unknown>;
}
