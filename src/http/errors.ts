import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { issuePath } from "../protocol/validate.ts";
import type { TooManyInstancesError } from "../master/errors.ts";

/** The JSON body of every HTTP error: what went wrong and, when one field is to blame, which. */
export interface ErrorBody {
  error: string;
  field?: string;
}

/** Answers an error as `{error, field?}` with a 4xx status. */
export function errorResponse(c: Context, status: ContentfulStatusCode, error: string, field?: string): Response {
  const body: ErrorBody = field === undefined ? { error } : { error, field };
  return c.json(body, status);
}

/** A zod validation failure as `{error, field}` 400 (the hook of every validator). */
export function zodHook(result: { success: boolean; error?: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } }, c: Context): Response | undefined {
  if (result.success) return undefined;
  const issue = result.error!.issues[0]!;
  const field = issuePath(issue.path);
  return errorResponse(c, 400, `${field}: ${issue.message}`, field);
}

/** H7: a start refused for the master's cap on running instances: 429 with Retry-After. */
export function tooMany(c: Context, e: TooManyInstancesError) {
  c.header("Retry-After", String(Math.ceil(e.retryAfterMs / 1000)));
  return fail(c, 429, e.message, "maxRunningInstances");
}

/**
 * `errorResponse`, typed with its status: the OpenAPI routes (api-routes.ts)
 * check every reply a handler gives against the replies they document.
 */
export function fail<S extends ContentfulStatusCode>(c: Context, status: S, error: string, field?: string) {
  const body: ErrorBody = field === undefined ? { error } : { error, field };
  return c.json(body, status);
}
