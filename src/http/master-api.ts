/**
 * The master's API for users: submit, list, read, watch (Server-Sent Events)
 * and kill instances, kill a task, page through an instance's tasks and
 * retry a failed one's (task-routes.ts); the processors it has loaded;
 * health, Prometheus metrics and the OpenAPI document — generated from the
 * route definitions (api-routes.ts) whose schemas validate the requests.
 * A shared master (X3) answers for every instance of the store and forwards
 * to the owner what only the owner can do (forward.ts).
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyCap } from "./body-cap.ts";
import type { Master } from "../master/master.ts";
import { ValidationError } from "../errors/validation-error.ts";
import { jsonOnly, sameOrigin } from "./cross-site.ts";
import { errorResponse, fail, tooMany, zodHook } from "./errors.ts";
import { bearer } from "./auth.ts";
import { onError } from "./endpoint-app.ts";
import { openApiDocument } from "./openapi.ts";
import { forward, ownerUrl, unreachable } from "./forward.ts";
import { taskRoutes } from "./task-routes.ts";
import { eventRoutes, type EventStreamOptions } from "./event-routes.ts";
import { SubmitConflictError, TooManyInstancesError } from "../master/errors.ts";
import { getRoute, healthRoute, killRoute, killTaskRoute, listRoute, metricsRoute, openApiRoute, processorsRoute, submitRoute } from "./api-routes.ts";
import { requestMetrics } from "./request-metrics.ts";

export { SubmitBody, KillBody, ListQuery } from "./api-schemas.ts";

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
  /**
   * More metrics appended to /metrics (the Node adapter adds the process's: CPU, memory, event loop).
   * @default none
   */
  extraMetrics?: () => string | Promise<string>;
}

/**
 * An owner's reply, relayed as it came: the same route answered on the
 * master that runs the instance (X3), so it carries this route's replies.
 */
const relayed = (r: Response) => r as never;

/** The user API of `master`, as a Hono app (its routes typed for `hono/client`). */
export function masterApi(master: Master, o: MasterApiOptions = {}) {
  const max = o.maxBodyBytes ?? 2 ** 20;
  const relay = { timeoutMs: master.requestTimeoutMs, fetch: o.fetch };
  /** Forwards a command only the owner can carry out; 503 naming the owner when it is out of reach. */
  const toOwner = async (c: Context, id: string, owner: string, body: unknown) => {
    try {
      return relayed(await forward(c, master, owner, { ...relay, body }));
    } catch (e) {
      const u = unreachable(id, owner, e, master.leaseSettings?.leaseMs ?? 0);
      c.header("Retry-After", u.retryAfter);
      return fail(c, 503, u.error, "id");
    }
  };
  const app = new OpenAPIHono({ defaultHook: zodHook });
  app.use("*", requestMetrics(master.metrics));
  app.use("*", sameOrigin(o.allowOrigins ?? []));
  app.use("*", jsonOnly());
  app.use("*", bearer(o.token));
  app.use("*", bodyCap(max, (c) => errorResponse(c, 413, `request body larger than ${max} bytes`)));
  const routes = app
    .openapi(submitRoute, async (c) => {
      const body = c.req.valid("json");
      try {
        const sub: Parameters<Master["submit"]>[0] = { processor: body.processor };
        if (body.settings !== undefined) sub.settings = body.settings as never;
        if (body.params !== undefined) sub.params = body.params;
        if (body.instanceId !== undefined) sub.instanceId = body.instanceId;
        const { instanceId, created } = await master.submitOnce(sub);
        return created ? c.json({ instanceId }, 201) : c.json({ instanceId }, 200);
      } catch (e) {
        if (e instanceof ValidationError) return fail(c, 400, e.message, e.field);
        // A1: the key names an instance submitted with something else.
        if (e instanceof SubmitConflictError) return fail(c, 409, e.message, e.field);
        if (e instanceof Error && e.name === "DuplicateInstanceError") return fail(c, 409, e.message, "instanceId");
        if (e instanceof TooManyInstancesError) return tooMany(c, e);
        throw e;
      }
    })
    .openapi(listRoute, async (c) => {
      const q = c.req.valid("query");
      try {
        const page = await master.listPage({ status: q.status, processor: q.processor, limit: q.limit ?? 100, before: q.before });
        return c.json(page, 200);
      } catch (e) {
        if (e instanceof ValidationError) return fail(c, 400, e.message, e.field);
        throw e;
      }
    })
    .openapi(getRoute, async (c) => {
      const { id } = c.req.valid("param");
      // Live progress lives with the owner; when it is out of reach, the store's view still answers.
      const owner = await ownerUrl(master, id, c);
      if (owner) {
        const r = await forward(c, master, owner, relay).catch(() => null);
        if (r?.status === 200) return relayed(r);
      }
      const v = await master.get(id);
      return v ? c.json(v, 200) : fail(c, 404, `unknown instance: ${id}`, "id");
    })
    .openapi(killRoute, async (c) => {
      const { id } = c.req.valid("param");
      const owner = await ownerUrl(master, id, c);
      if (owner) return toOwner(c, id, owner, c.req.valid("json"));
      if (!(await master.get(id))) return fail(c, 404, `unknown instance: ${id}`, "id");
      const killed = await master.kill(id, c.req.valid("json").reason ?? "killed by user");
      return killed ? c.json({ killed: true as const }, 200) : fail(c, 409, `instance ${id} is not running on this master`, "id");
    })
    .openapi(killTaskRoute, async (c) => {
      const { id, taskId } = c.req.valid("param");
      const owner = await ownerUrl(master, id, c);
      if (owner) return toOwner(c, id, owner, c.req.valid("json"));
      if (!(await master.get(id))) return fail(c, 404, `unknown instance: ${id}`, "id");
      const killed = await master.killTask(id, taskId, c.req.valid("json").reason ?? "killed by user");
      return killed ? c.json({ killed: true as const }, 200) : fail(c, 404, `no unfinished task ${taskId} in instance ${id}`, "taskId");
    })
    .route("/", eventRoutes(master, relay, o))
    .route("/", taskRoutes(master, relay))
    .openapi(processorsRoute, (c) => c.json({ processors: master.processors() }, 200))
    .openapi(healthRoute, (c) => c.json({ ok: true as const, running: master.running().length, workers: master.workerCount() }, 200))
    .openapi(metricsRoute, async (c) => {
      const extra = o.extraMetrics ? await o.extraMetrics() : "";
      return c.text(master.metrics.text() + extra, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
    })
    .openapi(openApiRoute, (c) => c.json(openApiDocument(app), 200));
  app.onError(onError);
  return routes;
}

/** The user API's type, for the typed client (`hono/client`). */
export type MasterApi = ReturnType<typeof masterApi>;
