/**
 * The request body cap in front of every route: a body over `maxSize` bytes
 * gets `onError`'s answer (413) and is not read.
 *
 * A body that announces its length (content-length, no transfer-encoding) is
 * judged by that header alone — the HTTP parser never reads past it — and is
 * left for the route to read. That keeps the runtime's direct body read in
 * use: on Node, @hono/node-server reads such a body straight from the socket
 * into one buffer. Hono's own `bodyLimit` first touches `c.req.raw.body`,
 * which builds a full web Request and makes every body, however small,
 * stream through web streams (~5 % of a busy master's CPU, bench/notes/e2e.md).
 * A body without a length (chunked) still goes through `bodyLimit`, which
 * counts its bytes while reading and stops past the cap.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/** The body cap middleware (see the module comment). */
export function bodyCap(maxSize: number, onError: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const counted = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      return parseInt(length, 10) > maxSize ? onError(c) : next();
    }
    return counted(c, next);
  };
}
