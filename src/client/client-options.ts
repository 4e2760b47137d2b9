import { ValidationError } from "../errors/validation-error.ts";

/** Options of `createClient`. */
export interface ClientOptions {
  /** The master's base URL, e.g. `http://127.0.0.1:7070` (a path prefix behind a proxy is kept). */
  url: string;
  /** The master's bearer token, when it has one. @default none */
  token?: string;
  /** The fetch to send requests with. @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * How long `watch` and `wait` keep trying to re-attach while the master cannot
   * be reached or cannot serve (a restart, a takeover), ms; each success starts it
   * afresh. @default 60000
   */
  reconnectForMs?: number;
}

/** The options, checked ("Expected X, got Y" naming the field); the URL without a trailing slash. */
export function checkClientOptions(o: ClientOptions): Required<Omit<ClientOptions, "token" | "fetch">> & Pick<ClientOptions, "token" | "fetch"> {
  if (typeof o !== "object" || o === null) throw new ValidationError("options", "an object { url, token? }", o);
  if (typeof o.url !== "string" || !/^https?:\/\/[^/?#]+/.test(o.url)) {
    throw new ValidationError("url", "an http:// or https:// URL like http://127.0.0.1:7070", o.url);
  }
  if (/[?#]/.test(o.url)) throw new ValidationError("url", "a URL without a query or fragment", o.url);
  // The token itself is never put in a message: only a wrong type or an empty string is shown.
  if (o.token !== undefined && (typeof o.token !== "string" || o.token === "")) throw new ValidationError("token", "a non-empty string", o.token);
  if (o.fetch !== undefined && typeof o.fetch !== "function") throw new ValidationError("fetch", "a function", o.fetch);
  const reconnectForMs = o.reconnectForMs ?? 60_000;
  if (typeof reconnectForMs !== "number" || !Number.isInteger(reconnectForMs) || reconnectForMs < 0) {
    throw new ValidationError("reconnectForMs", "an integer >= 0", reconnectForMs);
  }
  return { url: o.url.replace(/\/+$/, ""), token: o.token, fetch: o.fetch, reconnectForMs };
}
