/**
 * Commands on an instance another master runs (X3, shared masters): any
 * master's API answers for every instance, and what only the owner can do —
 * live progress, its event stream, killing it or one of its tasks — is
 * forwarded to the owner, whose id is the URL it advertises (a master's id
 * is its address unless told otherwise). A forwarded request carries a
 * header and is never forwarded again, so two masters that disagree about
 * the owner cannot bounce a request between them.
 */
import type { Context } from "hono";
import type { Master } from "../master/master.ts";

/** Marks a request one master forwarded to another (its value: the sender's address). */
export const FORWARDED_HEADER = "x-taskmill-forwarded-by";

/** Request headers passed on to the owner. */
const PASSED = ["authorization", "content-type", "accept", "last-event-id"];
/** Response headers passed back from the owner (the body is re-framed by this server). */
const RETURNED = ["content-type", "cache-control", "retry-after"];

/**
 * The URL of the master that runs instance `id`, when the request should go
 * there: this master is shared, the instance is RUNNING in the store under
 * another owner whose id is an http(s) URL, and the request was not
 * forwarded already. Null otherwise (answer here).
 */
export async function ownerUrl(master: Master, id: string, c: Context): Promise<string | null> {
  if (c.req.header(FORWARDED_HEADER) !== undefined) return null;
  const owner = await master.remoteOwner(id);
  return owner !== null && /^https?:\/\/[^/]+/.test(owner) ? owner.replace(/\/+$/, "") : null;
}

/**
 * Sends the request to the owner at `base` and answers with its reply,
 * status and body as they come (an event stream keeps streaming). Throws
 * when the owner cannot be reached or sends no headers within `timeoutMs`.
 * @param body the validated JSON body of a POST (it was read already).
 */
export async function forward(
  c: Context, master: Master, base: string, o: { body?: unknown; timeoutMs: number; fetch?: typeof fetch },
): Promise<Response> {
  const url = new URL(c.req.url);
  const headers = new Headers();
  for (const h of PASSED) {
    const v = c.req.header(h);
    if (v !== undefined) headers.set(h, v);
  }
  headers.set(FORWARDED_HEADER, master.address);
  // The timeout covers the wait for the owner's headers only: an event stream then runs as long as it runs.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
  let res: Response;
  try {
    res = await (o.fetch ?? fetch)(`${base}${url.pathname}${url.search}`, {
      method: c.req.method, headers, signal: abort.signal,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
  } finally {
    clearTimeout(timer);
  }
  const out = new Headers();
  for (const h of RETURNED) {
    const v = res.headers.get(h);
    if (v !== null) out.set(h, v);
  }
  out.set(FORWARDED_HEADER, base);
  return new Response(res.body, { status: res.status, headers: out });
}

/** Why a forward failed, for the 503 answered when the owner is out of reach. */
export function unreachable(id: string, owner: string, e: unknown, leaseMs: number): { error: string; retryAfter: string } {
  const why = e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e);
  return {
    error: `instance ${id} runs on ${owner}, which cannot be reached (${why}); another master takes it over once its lease runs out (at most ${leaseMs} ms)`,
    retryAfter: String(Math.max(1, Math.ceil(leaseMs / 1000))),
  };
}
