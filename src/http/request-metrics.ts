/**
 * A5: the duration of each HTTP request, labelled by method, the route's
 * PATTERN (`/api/instances/:id`, never the raw path: one series per id would
 * grow without end) and status. One histogram observation per request.
 */
import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { Histogram } from "../metrics/registry.ts";

/** The histogram requests are observed in (MasterMetrics.http). */
export interface HttpMetrics {
  readonly http: Histogram;
}

/** The pattern of the route that answered, or "unmatched" when only middleware ran (404). */
function pattern(c: Parameters<MiddlewareHandler>[0]): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]!;
    if (r.method !== "ALL" && !r.path.endsWith("*")) return r.path;
  }
  return "unmatched";
}

/** Observes every request's duration in `m.http`. */
export function requestMetrics(m: HttpMetrics): MiddlewareHandler {
  return async (c, next) => {
    const t0 = performance.now();
    try {
      await next();
    } finally {
      m.http.observe([c.req.method, pattern(c), String(c.res.status)], (performance.now() - t0) / 1000);
    }
  };
}
