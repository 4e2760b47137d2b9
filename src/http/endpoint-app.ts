/**
 * The Hono apps of a master's and a worker's protocol endpoint: one POST per
 * message type, the body validated with the message's zod schema, the reply
 * mapped to an HTTP status.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { bodyCap } from "./body-cap.ts";
import { zValidator } from "@hono/zod-validator";
import type { z } from "zod";
import type { MiddlewareHandler } from "hono";
import { fastCheck } from "../protocol/fast-check.ts";
import type { Message } from "../protocol/messages.ts";
import { Register, Heartbeat, ReportBatch, MapBatch, Pull, StartBatch, NotifyPull, KillTask, KillInstance, DestroyPool, type MasterMessage, type WorkerMessage } from "../protocol/messages.ts";
import type { Handler } from "../protocol/transport.ts";
import type { Reply } from "../protocol/replies.ts";
import { MESSAGE_ROUTES } from "./routes.ts";
import { REFUSAL_STATUS } from "./status.ts";
import { errorResponse, zodHook } from "./errors.ts";
import { jsonOnly, sameOrigin } from "./cross-site.ts";
import { bearer } from "./auth.ts";

/** Options of an endpoint app. */
export interface EndpointOptions {
  /** Bearer token required on every route. @default none */
  token?: string;
  /** Largest request body in bytes; larger → 413. @default 16 MiB */
  maxBodyBytes?: number;
}

/** Answers a reply with its HTTP status (a busy refusal also gets Retry-After). */
export function replyResponse(c: { json: (b: unknown, s: number) => Response; header: (k: string, v: string) => void }, reply: Reply): Response {
  if (reply.ok) return c.json(reply, 200);
  if (reply.code === "busy") c.header("Retry-After", String(Math.max(1, Math.ceil((reply.retryAfterMs ?? 1000) / 1000))));
  return c.json(reply, REFUSAL_STATUS[reply.code]);
}

/** Auth and body limit, in front of every endpoint route. */
function guarded(o: EndpointOptions) {
  const max = o.maxBodyBytes ?? 16 * 2 ** 20;
  return new Hono()
    // Workers and masters send JSON and no Origin; a web page can do neither (H1, H2).
    .use("*", sameOrigin("none"))
    .use("*", jsonOnly())
    .use("*", bearer(o.token))
    .use("*", bodyCap(max, (c) => errorResponse(c, 413, `request body larger than ${max} bytes`)));
}

/** A route's body: the message of the route's type, validated by its zod schema. */
const body = <S extends z.ZodType>(schema: S) => zValidator("json", schema, zodHook);

/**
 * A hot route's body: the hand-written check first (`fastCheck`), zod only for
 * what it does not pass — so a bad message still gets zod's message naming the
 * field. Typed exactly as `body(schema)`, for `hono/client`.
 */
const hotBody = <S extends z.ZodType>(schema: S, type: Message["type"]) => {
  const slow = body(schema);
  const fast: MiddlewareHandler = async (c, next) => {
    let raw: unknown;
    try {
      raw = await c.req.json(); // cached: zod's validator reads the same parsed body
    } catch {
      return slow(c, next);
    }
    if (!fastCheck(type, raw)) return slow(c, next);
    c.req.addValidatedData("json", raw as object);
    await next();
  };
  return fast as unknown as typeof slow;
};

/**
 * The master's endpoint for workers (register, heartbeat, report, map, pull),
 * each route typed by its message schema so `hono/client` can call it.
 */
export function masterEndpointApp(handler: Handler<MasterMessage>, o: EndpointOptions = {}) {
  const app = guarded(o)
    .post(MESSAGE_ROUTES.register, body(Register), async (c) => replyResponse(c, await handler(c.req.valid("json"))))
    .post(MESSAGE_ROUTES.heartbeat, body(Heartbeat), async (c) => replyResponse(c, await handler(c.req.valid("json"))))
    .post(MESSAGE_ROUTES.report, hotBody(ReportBatch, "report"), async (c) => replyResponse(c, await handler(c.req.valid("json"))))
    .post(MESSAGE_ROUTES.map, hotBody(MapBatch, "map"), async (c) => replyResponse(c, await handler(c.req.valid("json"))))
    .post(MESSAGE_ROUTES.pull, hotBody(Pull, "pull"), async (c) => replyResponse(c, await handler(c.req.valid("json"))))
    .get("/health", (c) => c.json({ ok: true }, 200));
  app.onError(onError);
  return app;
}

/**
 * A worker's own endpoint for masters (push mode: start a batch, kill a task
 * or an instance, destroy a pool; pull notices), typed for `hono/client`.
 */
export function workerEndpointApp(handler: Handler<WorkerMessage>, o: EndpointOptions = {}) {
  const app = guarded(o)
    .post(MESSAGE_ROUTES.start, hotBody(StartBatch, "start"), async (c) => replyResponse(c, await handler(c.req.valid("json"))))
    .post(MESSAGE_ROUTES.notifyPull, body(NotifyPull), async (c) => replyResponse(c, await handler(c.req.valid("json"))))
    .post(MESSAGE_ROUTES.killTask, body(KillTask), async (c) => replyResponse(c, await handler(c.req.valid("json"))))
    .post(MESSAGE_ROUTES.killInstance, body(KillInstance), async (c) => replyResponse(c, await handler(c.req.valid("json"))))
    .post(MESSAGE_ROUTES.destroyPool, body(DestroyPool), async (c) => replyResponse(c, await handler(c.req.valid("json"))))
    .get("/health", (c) => c.json({ ok: true }, 200));
  app.onError(onError);
  return app;
}

/** The master endpoint's type, for `hc<MasterEndpointApp>(url)`. */
export type MasterEndpointApp = ReturnType<typeof masterEndpointApp>;
/** The worker endpoint's type, for `hc<WorkerEndpointApp>(url)`. */
export type WorkerEndpointApp = ReturnType<typeof workerEndpointApp>;

/** Errors thrown inside a route: HTTP ones keep their status (malformed JSON → 400), the rest are 500. */
export function onError(e: Error, c: Parameters<Parameters<Hono["onError"]>[0]>[1]): Response {
  if (e instanceof HTTPException) {
    const status = e.status >= 400 && e.status < 500 ? e.status : 500;
    return c.json({ error: e.message || "bad request" }, status as 400);
  }
  console.error(`taskmill: ${c.req.method} ${c.req.path}: ${e.stack ?? e.message}`);
  return c.json({ error: "internal error" }, 500);
}
