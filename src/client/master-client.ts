import { hc } from "hono/client";
import type { MasterApi } from "../http/master-api.ts";
import { isStaleConnection, unreachableError } from "./client-error.ts";

/**
 * The typed hono/client of a master's user API: requests checked against the
 * routes' types (`MasterApi`). A request that reaches no master rejects with a
 * ClientError "cannot reach the master at URL (ECONNREFUSED) — is it running?".
 */
export function masterClient(url: string, token?: string, fetchImpl: typeof fetch = (input, init) => fetch(input, init)) {
  const reaching: typeof fetch = async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetchImpl(input, init);
      } catch (e) {
        // An abort is the caller's own doing: it stays what it is.
        if ((e as { name?: unknown }).name === "AbortError") throw e;
        // A kept-alive connection the server closed since the last request fails at once: a read is sent
        // once more, on a new connection (a write is not: it may have been carried out).
        if (attempt === 0 && method === "GET" && isStaleConnection(e)) continue;
        throw unreachableError(url, input instanceof Request ? input.url : String(input), e);
      }
    }
  };
  return hc<MasterApi>(url, { fetch: reaching, ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }) });
}

/** The hono/client of a master, as `masterClient` returns it. */
export type MasterClient = ReturnType<typeof masterClient>;
