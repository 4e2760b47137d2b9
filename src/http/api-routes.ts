/**
 * The user API's routes as OpenAPI route definitions: path, parameters,
 * body, and every reply with its schema. masterApi serves them (the same
 * schemas validate the requests), and /openapi.json is generated from them.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { InstanceViewSchema, TaskPageSchema } from "./view-schemas.ts";
import {
  ErrorBodySchema, Health, IdParam, InstanceList, KillBody, Killed, ListQuery, ProcessorList, RetryBody, SubmitBody, SubmitReply, TaskParam, TasksQuery,
} from "./api-schemas.ts";

/** What each error status means on every route that may answer it. */
const ERROR_MEANING = {
  400: "invalid request: `field` names what is wrong and the message what was expected",
  401: "missing or wrong bearer token (the master has a token)",
  403: "sent from another site's page: the Origin is neither the master's own nor allowed (H2)",
  404: "unknown instance",
  409: "conflict",
  413: "request body larger than the master's limit (--max-body-bytes)",
  415: "a request that changes state must send content-type: application/json (H1)",
  421: "the Host header is not a name this server answers to (H4)",
  429: "too many: Retry-After says when to try again",
  503: "the instance's owner (another master) is out of reach: Retry-After says when to try again",
} as const;
type ErrorStatus = keyof typeof ERROR_MEANING;

/** JSON content of a schema. */
const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });

/** An error reply, its meaning said for this route when `says` is given. */
const err = (status: ErrorStatus, says?: string) => ({ description: says ?? ERROR_MEANING[status], content: json(ErrorBodySchema) });

/** Errors any route may answer before it runs: token, Host, origin (H2: any request with another site's Origin). */
const guards = { 401: err(401), 403: err(403), 421: err(421) } as const;
/** And those of a state change: its body's media type (H1) and size. */
const changeGuards = { ...guards, 413: err(413), 415: err(415) } as const;

/** A JSON request body. */
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: json(schema) } });

export const submitRoute = createRoute({
  method: "post", path: "/api/instances", tags: ["instances"],
  summary: "Submit an instance of a processor",
  description: "An `instanceId` is a create-once key (A1): the same submit again answers 200 with it and creates nothing.",
  request: body(SubmitBody),
  responses: {
    201: { description: "created", content: json(SubmitReply) },
    200: { description: "an instance with this instanceId exists with the same processor, params and settings: nothing new was created (a retried submit)", content: json(SubmitReply) },
    400: err(400, "invalid body, unknown or bad setting, unknown processor, or one that is neither Map nor MapReduce: names the field"),
    409: err(409, "an instance with this instanceId exists with a different processor, params or settings: `field` names the first that differs"),
    429: err(429, "the master runs its cap of instances (--max-instances); Retry-After says when to try again"),
    ...changeGuards,
  },
});

export const listRoute = createRoute({
  method: "get", path: "/api/instances", tags: ["instances"],
  summary: "List instances, newest first, filtered by status and processor, page by page (A3)",
  request: { query: ListQuery },
  responses: { 200: { description: "a page of instances and the cursor of the next", content: json(InstanceList) }, 400: err(400), ...guards },
});

export const getRoute = createRoute({
  method: "get", path: "/api/instances/{id}", tags: ["instances"],
  summary: "One instance: status, result, params, settings, timings, progress, failed tasks and their first errors",
  request: { params: IdParam },
  responses: { 200: { description: "the instance", content: json(InstanceViewSchema) }, 404: err(404), ...guards },
});

export const killRoute = createRoute({
  method: "post", path: "/api/instances/{id}/kill", tags: ["instances"],
  summary: "Kill a running instance (B17); forwarded to its owner on shared masters",
  request: { params: IdParam, ...body(KillBody) },
  responses: {
    200: { description: "killed", content: json(Killed) }, 400: err(400), 404: err(404),
    409: err(409, "the instance is not running on this master (it ended)"), 503: err(503), ...changeGuards,
  },
});

export const killTaskRoute = createRoute({
  method: "post", path: "/api/instances/{id}/tasks/{taskId}/kill", tags: ["tasks"],
  summary: "Kill one unfinished task of a running instance (B17)",
  request: { params: TaskParam, ...body(KillBody) },
  responses: {
    200: { description: "killed", content: json(Killed) }, 400: err(400), 404: err(404, "unknown instance, or no unfinished task of that id"),
    503: err(503), ...changeGuards,
  },
});

export const tasksRoute = createRoute({
  method: "get", path: "/api/instances/{id}/tasks", tags: ["tasks"],
  summary: "A page of the instance's tasks in task order, filtered by status and name, each with its error, attempt and worker (B25)",
  description: "A running instance on another master: its owner's live state, else the stored state.",
  request: { params: IdParam, query: TasksQuery },
  responses: { 200: { description: "a page of tasks and the cursor of the next (null at the end)", content: json(TaskPageSchema) }, 400: err(400), 404: err(404), ...guards },
});

export const retryRoute = createRoute({
  method: "post", path: "/api/instances/{id}/retry", tags: ["instances"],
  summary: "Run a FAILED instance again over its failed tasks, its succeeded tasks kept (B26); taken by the master asked",
  request: { params: IdParam, ...body(RetryBody) },
  responses: {
    200: { description: "the instance, RUNNING under a new serialNum", content: json(InstanceViewSchema) },
    400: err(400), 404: err(404),
    409: err(409, "refused: RUNNING, SUCCESS, recurring, tasks no longer kept (says which retainTasks/retainFor keeps them), or processor not loaded here"),
    429: err(429, "the master runs its cap of instances (--max-instances); Retry-After says when to try again"),
    503: err(503, "shared masters: the master it ended on still holds its lease (Retry-After says how long)"),
    ...changeGuards,
  },
});

export const eventsRoute = createRoute({
  method: "get", path: "/api/instances/{id}/events", tags: ["instances"],
  summary: "Progress as Server-Sent Events: `progress` events while it runs, then `done` with the final instance (H8)",
  description: "Each `progress` event's data is the instance's progress (`names`, `workers`) as JSON; `done`'s is the final instance view. A `: keepalive` comment line comes every 15 s without an event.",
  request: { params: IdParam },
  responses: {
    200: { description: "text/event-stream", content: { "text/event-stream": { schema: z.string() } } },
    404: err(404),
    429: err(429, "the master serves its cap of event streams (maxEventStreams); Retry-After says when to try again"),
    ...guards,
  },
});

export const processorsRoute = createRoute({
  method: "get", path: "/api/processors", tags: ["processors"],
  summary: "The processors this master has loaded and their kind (A4): what a submit may name",
  responses: { 200: { description: "the processors", content: json(ProcessorList) }, ...guards },
});

export const healthRoute = createRoute({
  method: "get", path: "/health", tags: ["operations"],
  summary: "Liveness: instances running here and registered workers",
  responses: { 200: { description: "alive", content: json(Health) }, ...guards },
});

export const metricsRoute = createRoute({
  method: "get", path: "/metrics", tags: ["operations"],
  summary: "Prometheus metrics (text exposition format 0.0.4): counters, histograms, gauges (A5)",
  responses: { 200: { description: "the metrics", content: { "text/plain": { schema: z.string() } } }, ...guards },
});

export const openApiRoute = createRoute({
  method: "get", path: "/openapi.json", tags: ["operations"],
  summary: "This document",
  responses: { 200: { description: "the OpenAPI 3.1 document", content: json(z.record(z.string(), z.unknown())) }, ...guards },
});
