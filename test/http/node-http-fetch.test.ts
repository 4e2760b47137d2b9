// The Node adapter's fetch (node:http, keep-alive) stands in for undici's under
// the HTTP transport: same replies, same failures, and a real job runs over it.
import { describe, it, expect, afterEach } from "vitest";
import { createServer, type Server } from "node:http";
import { TransportError } from "../../src/protocol/transport.ts";
import { freePort } from "../../adapters/node/serve.ts";
import { startHttpCluster } from "./cluster.ts";
import { nodeHttpFetch } from "../../adapters/node/http-fetch.ts";
import { sumOfSquares } from "../master/processors.ts";

const cleanups: Array<() => unknown> = [];
afterEach(async () => { for (const f of cleanups.splice(0).reverse()) await f(); });

/** A plain node:http server answering every request with `handler`. */
async function server(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s: Server = createServer(handler);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); }));
  const addr = s.address() as { port: number };
  return `http://127.0.0.1:${addr.port}`;
}

describe("nodeHttpFetch", () => {
  it("posts the body and headers, and answers status, headers and body as fetch does", async () => {
    const url = await server((req, res) => {
      let body = "";
      req.on("data", (c) => { body += c; });
      req.on("end", () => {
        res.writeHead(429, { "content-type": "application/json", "retry-after": "2" });
        res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, type: req.headers["content-type"], body: JSON.parse(body) }));
      });
    });
    const init = { method: "POST", headers: { authorization: "Bearer t", "content-type": "application/json" }, body: JSON.stringify({ a: "ü" }) };
    const [ours, theirs] = await Promise.all([nodeHttpFetch(`${url}/x`, init), fetch(`${url}/x`, init)]);
    for (const r of [ours, theirs]) {
      expect(r.status).toBe(429);
      expect(r.ok).toBe(false);
      expect(r.headers.get("retry-after")).toBe("2");
    }
    expect(await ours.json()).toEqual(await theirs.json());
  });

  it("a refused connection is a TypeError with its cause; an abort rejects with the signal's reason", async () => {
    const port = await freePort();
    const refused = await nodeHttpFetch(`http://127.0.0.1:${port}/`, { method: "POST", body: "{}" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TypeError);
    expect(((refused as TypeError).cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
    const url = await server(() => { /* never answers */ });
    const timedOut = await nodeHttpFetch(url, { method: "POST", body: "{}", signal: AbortSignal.timeout(50) }).catch((e: unknown) => e);
    expect((timedOut as Error).name).toBe("TimeoutError");
  });

  it("under the transport: a MapReduce job over HTTP, and an unreachable worker is a TransportError", async () => {
    const { master, transport: mt, stop } = await startHttpCluster({ workers: 2, fetch: nodeHttpFetch });
    cleanups.push(stop);
    const id = await master.submit({ processor: "sumSquares", params: { n: 300, ranges: 6 }, settings: { execOnMaster: false } });
    const v = await master.waitFor(id);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sumOfSquares(300), count: 300 });
    const nobody = `http://127.0.0.1:${await freePort()}`;
    await expect(mt.request(nobody, { type: "destroyPool", master: mt.baseUrl, credential: "0123456789abcdef0123456789abcdef", instanceId: "x" })).rejects.toBeInstanceOf(TransportError);
  });
});
