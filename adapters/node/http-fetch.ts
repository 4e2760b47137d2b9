/**
 * A `fetch` for the HTTP transport on Node, over node:http with a keep-alive
 * agent. The transport only POSTs small JSON messages and reads small JSON
 * replies; undici's `fetch` runs each through web streams (a Request, a body
 * encoded and streamed, a reply read chunk by chunk), which cost a fifth of
 * a master's time at high task rates (bench/RESULTS.md, e2e). This one
 * writes the body string in one go and hands back a real Response. A reply
 * that announces a small length (at most BUFFERED_REPLY_BYTES; node's parser
 * stops at content-length, so that bounds it) is gathered in one buffer: the
 * common case, without a stream. Any other reply — chunked, or announced
 * larger — is handed over as it streams, with back-pressure, so the reader
 * (src/http/read-limited.ts) can stop at its cap and drop the connection
 * instead of this function holding a whole hostile reply first. It speaks
 * plain http: anything else goes to the global `fetch`. Failures look like
 * fetch's: a TypeError with the cause, or the signal's reason when aborted
 * (an abort while the body streams errors the body with the reason).
 */
import { Agent, request, type IncomingMessage } from "node:http";

/** Keep-alive connections, reused across requests to the same host. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** Replies announced at most this long are read into one buffer; longer or unannounced ones stream. */
export const BUFFERED_REPLY_BYTES = 2 ** 20;

/** The reply's headers as a Headers object. */
function headersOf(res: IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(", ") : v);
  return h;
}

/** The reply's body as a web stream with back-pressure: node's stream is paused while the reader's queue is full. */
function streamOf(res: IncomingMessage, done: () => void): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(c) {
      res.on("data", (chunk: Buffer) => {
        c.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((c.desiredSize ?? 1) <= 0) res.pause();
      });
      res.on("end", () => { done(); c.close(); });
      res.on("error", (e) => { done(); c.error(e instanceof TypeError ? e : new TypeError("fetch failed", { cause: e })); });
    },
    pull() { res.resume(); },
    cancel() { done(); res.destroy(); },
  });
}

/** `fetch` over node:http for http:// URLs (see the module comment). */
export function nodeHttpFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = input instanceof Request ? new URL(input.url) : new URL(String(input));
  if (url.protocol !== "http:" || input instanceof Request || (init.body !== undefined && init.body !== null && typeof init.body !== "string")) {
    return fetch(input, init);
  }
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((v, k) => { headers[k] = v; });
  const body = init.body as string | undefined | null;
  if (body != null) headers["content-length"] = String(Buffer.byteLength(body));
  return new Promise<Response>((resolve, reject) => {
    let reply: IncomingMessage | undefined;
    const done = () => signal?.removeEventListener("abort", onAbort);
    const req = request(url, { method: init.method ?? "GET", headers, agent }, (res) => {
      reply = res;
      const status = res.statusCode ?? 0;
      const init2 = { status, statusText: res.statusMessage, headers: headersOf(res) };
      // A Response may not carry a body with these statuses.
      if (status === 204 || status === 205 || status === 304 || init.method === "HEAD") {
        res.resume();
        res.on("end", done);
        resolve(new Response(null, init2));
        return;
      }
      const announced = Number(res.headers["content-length"] ?? NaN);
      if (!(announced <= BUFFERED_REPLY_BYTES)) {
        resolve(new Response(streamOf(res, done), init2));
        return;
      }
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (e) => { done(); reject(new TypeError("fetch failed", { cause: e })); });
      res.on("end", () => {
        done();
        resolve(new Response(Buffer.concat(chunks), init2));
      });
    });
    const onAbort = () => {
      // Before the reply: the promise rejects; while its body streams: the body errors with the reason.
      reply?.destroy(signal!.reason);
      req.destroy();
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    req.on("error", (e) => {
      done();
      if (!signal?.aborted) reject(new TypeError("fetch failed", { cause: e }));
    });
    req.end(body ?? undefined);
  });
}
