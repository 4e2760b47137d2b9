// Replies are bounded while they stream (M2-M4): a peer answering with far more than
// maxReplyBytes costs the reader at most about that much, the connection is dropped
// rather than read to its end, and the request fails as a TransportError "server".
import { describe, it, expect, afterEach } from "vitest";
import { createServer, type ServerResponse, type Server } from "node:http";
import { HttpTransport } from "../../src/http/index.ts";
import { TransportError } from "../../src/protocol/transport.ts";
import { nodeHttpFetch } from "../../adapters/node/http-fetch.ts";
import { SAMPLE_MESSAGES } from "../protocol/sample-messages.ts";
import { lazyBody } from "./lazy-body.ts";

const cleanups: Array<() => unknown> = [];
afterEach(async () => { for (const f of cleanups.splice(0).reverse()) await f(); });

/** A plain node:http server answering every request with `handler`. */
async function server(handler: (res: ServerResponse) => void): Promise<string> {
  const s: Server = createServer((req, res) => { req.resume(); req.on("end", () => handler(res)); });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); }));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}

const MiB = 2 ** 20;


const fetches = [["global fetch", undefined], ["nodeHttpFetch", nodeHttpFetch]] as const;

describe.each(fetches)("replies bounded while they stream (%s)", (_, fetchImpl) => {
  it("M2: a 64 MiB chunked reply to a 1 MiB reader fails as \"server\" naming maxReplyBytes, and is not read to its end", async () => {
    let sent!: Promise<number>;
    const url = await server((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      sent = lazyBody(res, 64 * MiB);
    });
    const t = new HttpTransport("http://127.0.0.1:9", { fetch: fetchImpl, maxReplyBytes: MiB });
    const err = await t.request(`${url}/m`, SAMPLE_MESSAGES.register).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).failure).toBe("server");
    expect((err as TransportError).message).toMatch(/reply to register larger than maxReplyBytes \(\d+ > 1048576 bytes\)/);
    // The connection was dropped: the server wrote what the socket buffers hold, not 64 MiB.
    expect(await sent).toBeLessThan(24 * MiB);
  });

  it("M2: a reply announcing a length over maxReplyBytes is refused before its body is read", async () => {
    let sent!: Promise<number>;
    const url = await server((res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(64 * MiB + 2) });
      sent = lazyBody(res, 64 * MiB);
    });
    const t = new HttpTransport("http://127.0.0.1:9", { fetch: fetchImpl, maxReplyBytes: MiB });
    const err = await t.request(`${url}/m`, SAMPLE_MESSAGES.start).catch((e: unknown) => e);
    expect((err as TransportError).failure).toBe("server");
    expect((err as TransportError).message).toContain(`larger than maxReplyBytes (${64 * MiB + 2} > ${MiB} bytes)`);
    expect(await sent).toBeLessThan(24 * MiB);
  });

  it("M3: a 5xx with a 64 MiB body is a TransportError \"server\" with a short message, its body read only for it", async () => {
    let sent!: Promise<number>;
    const url = await server((res) => {
      res.writeHead(503, { "content-type": "text/plain" });
      sent = lazyBody(res, 64 * MiB);
    });
    const t = new HttpTransport("http://127.0.0.1:9", { fetch: fetchImpl });
    const err = await t.request(`${url}/m`, SAMPLE_MESSAGES.heartbeat).catch((e: unknown) => e);
    expect((err as TransportError).failure).toBe("server");
    expect((err as TransportError).message.length).toBeLessThan(300);
    expect((err as TransportError).message).toContain("HTTP 503");
    expect(await sent).toBeLessThan(24 * MiB);
  });

  it("M3: a reply that is not JSON, or JSON that is not a reply, is a TransportError \"server\"", async () => {
    let next = "";
    const url = await server((res) => { res.writeHead(200, { "content-type": "application/json" }); res.end(next); });
    const t = new HttpTransport("http://127.0.0.1:9", { fetch: fetchImpl });
    for (const [body, says] of [["{\"ok\":tru", "not JSON"], ["[1,2]", "body: expected an object"], ["{\"ok\":true}", "tasks: "], ["{\"ok\":true,\"tasks\":{}}", "tasks.handles: "]] as const) {
      next = body;
      const err = await t.request(`${url}/m`, SAMPLE_MESSAGES.pull).catch((e: unknown) => e);
      expect(err, body).toBeInstanceOf(TransportError);
      expect((err as TransportError).failure, body).toBe("server");
      expect((err as TransportError).message, body).toContain(says);
    }
  });
});

describe("maxReplyBytes and the Node fetch", () => {
  it("M4: maxReplyBytes is validated, naming the field", () => {
    for (const bad of [0, -1, 1.5, "16"]) {
      expect(() => new HttpTransport("http://127.0.0.1:9", { maxReplyBytes: bad as number })).toThrow(/maxReplyBytes: Expected an integer >= 1/);
    }
  });

  it("M4: nodeHttpFetch hands a chunked reply over while it streams, not once it has all of it", async () => {
    let finish!: () => void;
    const url = await server((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"ok":');
      finish = () => res.end("true}");
    });
    const res = await nodeHttpFetch(url, { method: "POST", body: "{}" });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('{"ok":');
    finish();
    const rest = await reader.read();
    expect(new TextDecoder().decode(rest.value)).toBe("true}");
    expect((await reader.read()).done).toBe(true);
  });
});
