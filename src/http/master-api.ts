/**
 * The master's API for users: submit, list, read, watch (Server-Sent Events)
 * and kill instances, kill a task, page through an instance's tasks and
 * retry a failed one's (task-routes.ts); health, Prometheus metrics and the
 * OpenAPI document. A shared master (X3) answers for every instance of the
 * store and forwards to the owner what only the owner can do (forward.ts).
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import type { Master } from "../master/master.ts";
import { ValidationError } from "../errors/validation-error.ts";
import { jsonOnly, sameOrigin } from "./cross-site.ts";
import { Json } from "../protocol/messages.ts";
import { errorResponse, tooMany, zodHook } from "./errors.ts";
import { bearer } from "./auth.ts";
import { onError } from "./endpoint-app.ts";
import { metricsText } from "./metrics.ts";
import { openApiDocument } from "./openapi.ts";
import { forward, ownerUrl, unreachable } from "./forward.ts";
import { taskRoutes } from "./task-routes.ts";
import { eventRoutes, type EventStreamOptions } from "./event-routes.ts";
import { TooManyInstancesError } from "../master/errors.ts";

/** Body of POST /api/instances. */
export const SubmitBody = z.object({
  processor: z.string().min(1).max(256),
  settings: z.record(z.string(), z.unknown()).optional(),
  params: Json.optional(),
  instanceId: z.string().min(1).max(128).optional(),
});
/** Body of the kill routes. */
export const KillBody = z.object({ reason: z.string().max(1000).optional() });
/** Query of GET /api/instances. */
export const ListQuery = z.object({
  status: z.enum(["RUNNING", "SUCCESS", "FAILED"]).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

/** Options of the user API (with those of its event streams, H8). */
export interface MasterApiOptions extends EventStreamOptions {
  /** Bearer token required on every route. @default none */
  token?: string;
  /** Largest request body, bytes. @default 1 MiB */
  maxBodyBytes?: number;
  /** The fetch that forwards requests to an instance's owner (shared masters). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Origins besides the master's own whose pages may change state through the API (H2). @default none */
  allowOrigins?: readonly string[];
}

/** The user API of `master`, as a Hono app. */
export function masterApi(master: Master, o: MasterApiOptions = {}) {
  const max = o.maxBodyBytes ?? 2 ** 20;
  const relay = { timeoutMs: master.requestTimeoutMs, fetch: o.fetch };
  /** Forwards a command only the owner can carry out; 503 naming the owner when it is out of reach. */
  const toOwner = async (c: Context, id: string, owner: string, body: unknown): Promise<Response> => {
    try {
      return await forward(c, master, owner, { ...relay, body });
    } catch (e) {
      const u = unreachable(id, owner, e, master.leaseSettings?.leaseMs ?? 0);
      c.header("Retry-After", u.retryAfter);
      return errorResponse(c, 503, u.error, "id");
    }
  };
  const app = new Hono()
    .use("*", sameOrigin(o.allowOrigins ?? []))
    .use("*", jsonOnly())
    .use("*", bearer(o.token))
    .use("*", bodyLimit({ maxSize: max, onError: (c) => errorResponse(c, 413, `request body larger than ${max} bytes`) }))
    .post("/api/instances", zValidator("json", SubmitBody, zodHook), async (c) => {
      const body = c.req.valid("json");
      try {
        const sub: Parameters<Master["submit"]>[0] = { processor: body.processor };
        if (body.settings !== undefined) sub.settings = body.settings as never;
        if (body.params !== undefined) sub.params = body.params;
        if (body.instanceId !== undefined) sub.instanceId = body.instanceId;
        const instanceId = await master.submit(sub);
        return c.json({ instanceId }, 201);
      } catch (e) {
        if (e instanceof ValidationError) return errorResponse(c, 400, e.message, e.field);
        if (e instanceof Error && e.name === "DuplicateInstanceError") return errorResponse(c, 409, e.message, "instanceId");
        if (e instanceof TooManyInstancesError) return tooMany(c, e);
        throw e;
      }
    })
    .get("/api/instances", zValidator("query", ListQuery, zodHook), async (c) => {
      const q = c.req.valid("query");
      const filter: { status?: "RUNNING" | "SUCCESS" | "FAILED"; limit?: number } = { limit: q.limit ?? 100 };
      if (q.status) filter.status = q.status;
      return c.json({ instances: await master.list(filter) }, 200);
    })
    .get("/api/instances/:id", async (c) => {
      // Live progress lives with the owner; when it is out of reach, the store's view still answers.
      const owner = await ownerUrl(master, c.req.param("id"), c);
      if (owner) {
        const r = await forward(c, master, owner, relay).catch(() => null);
        if (r?.status === 200) return r;
      }
      const v = await master.get(c.req.param("id"));
      return v ? c.json(v, 200) : errorResponse(c, 404, `unknown instance: ${c.req.param("id")}`, "id");
    })
    .post("/api/instances/:id/kill", zValidator("json", KillBody, zodHook), async (c) => {
      const id = c.req.param("id");
      const owner = await ownerUrl(master, id, c);
      if (owner) return toOwner(c, id, owner, c.req.valid("json"));
      if (!(await master.get(id))) return errorResponse(c, 404, `unknown instance: ${id}`, "id");
      const killed = await master.kill(id, c.req.valid("json").reason ?? "killed by user");
      return killed ? c.json({ killed: true }, 200) : errorResponse(c, 409, `instance ${id} is not running on this master`, "id");
    })
    .post("/api/instances/:id/tasks/:taskId/kill", zValidator("json", KillBody, zodHook), async (c) => {
      const { id, taskId } = c.req.param();
      const owner = await ownerUrl(master, id, c);
      if (owner) return toOwner(c, id, owner, c.req.valid("json"));
      if (!(await master.get(id))) return errorResponse(c, 404, `unknown instance: ${id}`, "id");
      const killed = await master.killTask(id, taskId, c.req.valid("json").reason ?? "killed by user");
      return killed ? c.json({ killed: true }, 200) : errorResponse(c, 404, `no unfinished task ${taskId} in instance ${id}`, "taskId");
    })
    .route("/", eventRoutes(master, relay, o))
    .route("/", taskRoutes(master, relay))
    .get("/health", (c) => c.json({ ok: true, running: master.running().length, workers: master.workerCount() }, 200))
    .get("/metrics", (c) => c.text(metricsText(master), 200, { "content-type": "text/plain; version=0.0.4" }))
    .get("/openapi.json", (c) => c.json(openApiDocument(), 200));
  app.onError(onError);
  return app;
}

/** The user API's type, for the typed client (`hono/client`). */
export type MasterApi = ReturnType<typeof masterApi>;
