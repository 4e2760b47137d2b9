/**
 * The user API's routes over an instance's tasks: reading them page by page
 * (B25) and running a FAILED instance again over its failed ones (B26).
 * Mounted by masterApi, behind its token and body limit.
 */
import { OpenAPIHono, type z } from "@hono/zod-openapi";
import type { Master } from "../master/master.ts";
import { checkTaskQuery, type TaskPageQuery } from "../master/task-pages.ts";
import { RetryRefusedError } from "../master/rerun.ts";
import { TooManyInstancesError, UnknownProcessorError } from "../master/errors.ts";
import { ValidationError } from "../errors/validation-error.ts";
import { LeaseHeldError } from "../store/errors.ts";
import { fail, tooMany, zodHook } from "./errors.ts";
import { forward, ownerUrl } from "./forward.ts";
import type { TasksQuery } from "./api-schemas.ts";
import { retryRoute, tasksRoute } from "./api-routes.ts";

/** The query as the master takes it: a limit of digits becomes a number; anything else stays for the check to refuse. */
function taskQuery(q: z.infer<typeof TasksQuery>): TaskPageQuery {
  const out: TaskPageQuery = {};
  if (q.status !== undefined) out.status = q.status;
  if (q.name !== undefined) out.name = q.name;
  if (q.cursor !== undefined) out.cursor = q.cursor;
  if (q.limit !== undefined) out.limit = (/^\d{1,9}$/.test(q.limit) ? Number(q.limit) : q.limit) as number;
  return out;
}

/** The tasks and retry routes of `master`; `relay` is how requests are forwarded to an instance's owner. */
export function taskRoutes(master: Master, relay: { timeoutMs: number; fetch?: typeof fetch }) {
  return new OpenAPIHono({ defaultHook: zodHook })
    .openapi(tasksRoute, async (c) => {
      const { id } = c.req.valid("param");
      const q = taskQuery(c.req.valid("query"));
      try {
        checkTaskQuery(q);
        // A running instance's live state (RUNNING, the worker) lives with its owner; out of reach,
        // this master's store answers with the stored state.
        const owner = await ownerUrl(master, id, c);
        if (owner) {
          const r = await forward(c, master, owner, relay).catch(() => null);
          // The owner's answer to this same route (X3).
          if (r?.status === 200) return r as never;
        }
        const page = await master.tasks(id, q);
        return page ? c.json(page, 200) : fail(c, 404, `unknown instance: ${id}`, "id");
      } catch (e) {
        if (e instanceof ValidationError) return fail(c, 400, e.message, e.field);
        throw e;
      }
    })
    .openapi(retryRoute, async (c) => {
      // Not forwarded: a FAILED instance has no owner running it, so the master asked takes it.
      const { id } = c.req.valid("param");
      try {
        const v = await master.retryFailed(id);
        return v ? c.json(v, 200) : fail(c, 404, `unknown instance: ${id}`, "id");
      } catch (e) {
        if (e instanceof RetryRefusedError) return fail(c, 409, e.message, "id");
        if (e instanceof TooManyInstancesError) return tooMany(c, e);
        if (e instanceof UnknownProcessorError) return fail(c, 409, e.message, "processor");
        if (e instanceof LeaseHeldError) {
          // Shared masters (X3): the master it ended on (or one retrying it right now) holds its lease
          // a while longer; once that runs out any master may take it, and its holder may at once.
          const ms = Math.max(0, e.until - Date.now());
          c.header("Retry-After", String(Math.max(1, Math.ceil(ms / 1000))));
          return fail(c, 503, `instance ${id} is held by ${e.owner} for ${ms} ms more (its lease); retry then, or through ${e.owner}`, "id");
        }
        throw e;
      }
    });
}
