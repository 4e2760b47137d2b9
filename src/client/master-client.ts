import { hc } from "hono/client";
import type { MasterApi } from "../http/master-api.ts";
import { unreachableError } from "./client-error.ts";

/**
 * The typed hono/client of a master's user API: requests checked against the
 * routes' types (`MasterApi`). A request that reaches no master rejects with a
 * ClientError "cannot reach the master at URL (ECONNREFUSED) — is it running?".
 */
export function masterClient(url: string, token?: string, fetchImpl: typeof fetch = (input, init) => fetch(input, init)) {
  const reaching: typeof fetch = async (input, init) => {
    try {
      return await fetchImpl(input, init);
    } catch (e) {
      // An abort is the caller's own doing: it stays what it is.
      if ((e as { name?: unknown }).name === "AbortError") throw e;
      throw unreachableError(url, input instanceof Request ? input.url : String(input), e);
    }
  };
  return hc<MasterApi>(url, { fetch: reaching, ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }) });
}

/** The hono/client of a master, as `masterClient` returns it. */
export type MasterClient = ReturnType<typeof masterClient>;
