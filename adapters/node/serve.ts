import { serve as nodeServe, type ServerType } from "@hono/node-server";
import type { Server } from "node:http";
import { guardHost, type FetchHandler } from "../../src/http/host-names.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import { expectInt } from "../../src/errors/validate.ts";

/** A running HTTP server. */
export interface Served {
  /** The port it listens on (useful with port 0). */
  port: number;
  /** The base URL, e.g. http://127.0.0.1:7070. */
  url: string;
  close(): Promise<void>;
}

/**
 * How the server treats its connections (H4, H10). Node's own defaults are
 * 60 s for headers and 300 s for a request: long enough for a few hundred
 * idle sockets that never finish their headers to hold a server down.
 */
export interface ServeOptions {
  /** Names besides loopback and the bind address a request's Host may carry (H4): the advertised URL's host. @default none */
  advertise?: string;
  /** More names the server answers to (`--allow-host`). @default none */
  allowHosts?: readonly string[];
  /** A connection must send its request's headers within this, ms, or it is closed. @default 10000 */
  headersTimeoutMs?: number;
  /**
   * The whole request (headers and body) must arrive within this, ms. Only
   * the receiving is timed: a reply that streams for hours (an event stream)
   * or a worker request the master answers late is never cut. @default 60000
   */
  requestTimeoutMs?: number;
  /** An idle kept-alive connection is closed after this, ms. @default 5000 */
  keepAliveTimeoutMs?: number;
  /** Open connections at most; more are closed as they arrive. @default 10000 */
  maxConnections?: number;
}

/** The timeouts and cap of `o`, validated, with their defaults. */
export function serverLimits(o: ServeOptions = {}) {
  const headersTimeoutMs = expectInt("headersTimeoutMs", o.headersTimeoutMs ?? 10_000, 1);
  const requestTimeoutMs = expectInt("requestTimeoutMs", o.requestTimeoutMs ?? 60_000, 1);
  if (headersTimeoutMs > requestTimeoutMs) throw new ValidationError("headersTimeoutMs", `at most requestTimeoutMs (${requestTimeoutMs})`, headersTimeoutMs);
  return {
    headersTimeoutMs, requestTimeoutMs,
    keepAliveTimeoutMs: expectInt("keepAliveTimeoutMs", o.keepAliveTimeoutMs ?? 5000, 1),
    maxConnections: expectInt("maxConnections", o.maxConnections ?? 10_000, 1),
  };
}

/**
 * Serves a Hono app on Node through @hono/node-server, behind the Host check
 * (H4) and with explicit timeouts and a connection cap (H10); resolves once listening.
 */
export function serveApp(app: FetchHandler, port: number, hostname = "127.0.0.1", o: ServeOptions = {}): Promise<Served> {
  const limits = serverLimits(o);
  const front = guardHost(app, { bind: hostname, advertise: o.advertise, allow: o.allowHosts });
  return new Promise((resolve, reject) => {
    let server: ServerType;
    const onError = (e: Error) => reject(e);
    server = nodeServe({
      fetch: front.fetch, port, hostname,
      // Node checks the header and request deadlines on this interval (30 s by default): a short
      // deadline would otherwise be kept only to within 30 s.
      serverOptions: { connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))) },
    }, (info) => {
      server.off("error", onError);
      resolve({
        port: info.port,
        url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${info.port}`,
        close: () => new Promise<void>((r) => {
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          server.close(() => r());
        }),
      });
    });
    const http = server as Server;
    http.headersTimeout = limits.headersTimeoutMs;
    http.requestTimeout = limits.requestTimeoutMs;
    http.keepAliveTimeout = limits.keepAliveTimeoutMs;
    http.maxConnections = limits.maxConnections;
    server.once("error", onError);
  });
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
