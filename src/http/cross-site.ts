/**
 * Requests a web page cannot forge (H1, H2). A page the operator visits may
 * send "simple" requests — POST with a text/plain body, no preflight — to any
 * address, the master's included; what it cannot do is set
 * `content-type: application/json` or hide the `Origin` it comes from.
 */
import type { MiddlewareHandler } from "hono";
import { errorResponse } from "./errors.ts";

const CHANGES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** H1: a request that changes state must say its body is JSON; anything else gets 415. */
export function jsonOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (CHANGES.has(c.req.method)) {
      const type = c.req.header("content-type");
      const media = type?.split(";", 1)[0]!.trim().toLowerCase();
      if (media !== "application/json") {
        return errorResponse(c, 415, `content-type: Expected application/json, got ${type === undefined ? "none" : JSON.stringify(type)}`, "content-type");
      }
    }
    await next();
  };
}

/**
 * H2: a request carrying an `Origin` other than the server's own (or one of
 * `allow`) gets 403; one without `Origin` — the CLI, workers, curl — passes.
 * With `allow` "none", any `Origin` is refused: no page has business there.
 */
export function sameOrigin(allow: readonly string[] | "none"): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (origin !== undefined) {
      const own = new URL(c.req.url).origin;
      const ok = allow !== "none" && (origin === own || allow.includes(origin));
      if (!ok) {
        const expected = allow === "none" ? "no Origin (this endpoint takes no requests from web pages)" : `this server's own origin (${own})${allow.length ? ` or one of ${allow.join(", ")}` : ""}`;
        return errorResponse(c, 403, `origin: Expected ${expected}, got ${JSON.stringify(origin)}`, "origin");
      }
    }
    await next();
  };
}
