import { guardHost } from "../../src/http/host-names.ts";

/** What Deno.serve needs of an app: a Hono app, or any object with a fetch handler. */
export interface FetchApp {
  fetch(request: Request): Response | Promise<Response>;
}

/** A running HTTP server. */
export interface Served {
  /** The port it listens on (the one picked when asked for port 0). */
  port: number;
  /** The base URL, e.g. http://127.0.0.1:7070. */
  url: string;
  /** Stops accepting connections and waits for open requests, at most `graceMs` (streams such as SSE never end by themselves). */
  close(): Promise<void>;
}

/** Names a request's Host may carry besides loopback and the bind address (H4). */
export interface ServedNames {
  /** The URL others reach this process at. @default none */
  advertise?: string;
  /** More host names (`--allow-host`). @default none */
  allowHosts?: readonly string[];
}

/**
 * Serves a Hono app with Deno.serve (port 0 picks a free port), behind the
 * Host check (H4), without Deno's "Listening on" line so stdout stays the
 * CLI's JSON events. A port in use rejects (AddrInUse). Deno's server keeps
 * its own connection deadlines (H10 is Node's).
 * @example const s = await serveApp(app, 0); console.log(s.url); await s.close();
 */
export async function serveApp(app: FetchApp, port: number, hostname = "127.0.0.1", graceMs = 2000, names: ServedNames = {}): Promise<Served> {
  const front = guardHost(app, { bind: hostname, advertise: names.advertise, allow: names.allowHosts });
  const server = Deno.serve({ port, hostname, onListen: () => {} }, (req) => front.fetch(req));
  const bound = (server.addr as Deno.NetAddr).port;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    port: bound,
    url: `http://${host}:${bound}`,
    close: async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>((r) => { timer = setTimeout(r, graceMs); });
      await Promise.race([server.shutdown(), grace]);
      clearTimeout(timer);
    },
  };
}

/**
 * An app to serve before it exists: set `.app` once the URL is known (an
 * HttpTransport needs its own URL); until then it answers 503. Binding first
 * makes port 0 safe: no free-port guess that another process may take.
 */
export function lateApp(): FetchApp & { app?: FetchApp } {
  const late: FetchApp & { app?: FetchApp } = {
    fetch: (req) => late.app ? late.app.fetch(req) : new Response("starting", { status: 503 }),
  };
  return late;
}
