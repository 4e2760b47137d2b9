import type { MiddlewareHandler } from "hono";
import { errorResponse } from "./errors.ts";

/** Constant-time string comparison, so a wrong token leaks nothing through timing. */
function same(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/**
 * Requires `Authorization: Bearer <token>` on every request when a token is
 * configured; 401 `{error}` otherwise. With no token configured it lets all through.
 */
export function bearer(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined) return next();
    const h = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(.+)$/i.exec(h);
    if (!m || !same(m[1]!.trim(), token)) {
      c.header("WWW-Authenticate", 'Bearer realm="taskmill"');
      return errorResponse(c, 401, m ? "invalid bearer token" : "missing bearer token: send Authorization: Bearer <token>", "authorization");
    }
    return next();
  };
}
