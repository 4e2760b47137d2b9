/**
 * The Host check of H4 as a Hono middleware, for an app mounted behind
 * another server; taskmill's own servers apply `guardHost` (host-names.ts)
 * in front of the whole app instead.
 */
import type { MiddlewareHandler } from "hono";
import { errorResponse } from "./errors.ts";
import { hostRefusalMessage, hostServed, servedHostNames, type ServedHosts } from "./host-names.ts";

/**
 * H4: every request whose `Host` is not a name the process serves gets 421
 * (Misdirected Request) naming `host`, before any route runs; one with no
 * `Host` passes (no browser sends such a request).
 */
export function hostCheck(o: ServedHosts): MiddlewareHandler {
  const names = servedHostNames(o);
  return async (c, next) => {
    const host = c.req.header("host");
    if (host !== undefined && !hostServed(host, names)) return errorResponse(c, 421, hostRefusalMessage(host, names), "host");
    await next();
  };
}
