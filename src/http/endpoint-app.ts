/**
 * The Hono routes of a master's or worker's protocol endpoint: one POST per
 * message type, the body validated with the message's zod schema, the reply
 * mapped to an HTTP status.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "hono/body-limit";
import { zValidator } from "@hono/zod-validator";
import type { z } from "zod";
import { Register, Heartbeat, ReportBatch, MapBatch, Pull, StartBatch, NotifyPull, KillTask, KillInstance, DestroyPool, type Message } from "../protocol/messages.ts";
import type { Handler } from "../protocol/transport.ts";
import type { Reply } from "../protocol/replies.ts";
import { MESSAGE_ROUTES } from "./routes.ts";
import { REFUSAL_STATUS } from "./status.ts";
import { errorResponse, zodHook } from "./errors.ts";
import { bearer } from "./auth.ts";

const SCHEMAS: Record<Message["type"], z.ZodType> = {
  register: Register, heartbeat: Heartbeat, report: ReportBatch, map: MapBatch, pull: Pull,
  start: StartBatch, notifyPull: NotifyPull, killTask: KillTask, killInstance: KillInstance, destroyPool: DestroyPool,
};

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

/** A Hono app serving `types` with `handler`. */
export function endpointApp(types: readonly Message["type"][], handler: Handler, o: EndpointOptions = {}): Hono {
  const app = new Hono();
  app.use("*", bearer(o.token));
  app.use("*", bodyLimit({
    maxSize: o.maxBodyBytes ?? 16 * 2 ** 20,
    onError: (c) => errorResponse(c, 413, `request body larger than ${o.maxBodyBytes ?? 16 * 2 ** 20} bytes`),
  }));
  for (const type of types) {
    app.post(MESSAGE_ROUTES[type], zValidator("json", SCHEMAS[type], zodHook), async (c) => {
      const msg = c.req.valid("json" as never) as Message;
      if (msg.type !== type) return errorResponse(c, 400, `type: Expected "${type}" on this route, got "${String(msg.type)}"`, "type");
      return replyResponse(c, await handler(msg));
    });
  }
  app.get("/health", (c) => c.json({ ok: true }));
  app.onError(onError);
  return app;
}

/** Errors thrown inside a route: HTTP ones keep their status (malformed JSON → 400), the rest are 500. */
export function onError(e: Error, c: Parameters<Parameters<Hono["onError"]>[0]>[1]): Response {
  if (e instanceof HTTPException) {
    const status = e.status >= 400 && e.status < 500 ? e.status : 500;
    return c.json({ error: e.message || "bad request" }, status as 400);
  }
  console.error(`taskmill: ${c.req.method} ${c.req.path}: ${e.stack ?? e.message}`);
  return c.json({ error: "internal error" }, 500);
}
