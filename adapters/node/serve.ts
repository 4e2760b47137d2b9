import { serve as nodeServe, type ServerType } from "@hono/node-server";
import type { Hono } from "hono";

/** A running HTTP server. */
export interface Served {
  /** The port it listens on (useful with port 0). */
  port: number;
  /** The base URL, e.g. http://127.0.0.1:7070. */
  url: string;
  close(): Promise<void>;
}

/** Serves a Hono app on Node through @hono/node-server; resolves once listening. */
export function serveApp(app: Hono, port: number, hostname = "127.0.0.1"): Promise<Served> {
  return new Promise((resolve, reject) => {
    let server: ServerType;
    const onError = (e: Error) => reject(e);
    server = nodeServe({ fetch: app.fetch, port, hostname }, (info) => {
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
