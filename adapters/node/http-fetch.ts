/**
 * A `fetch` for the HTTP transport on Node, over node:http with a keep-alive
 * agent. The transport only POSTs small JSON messages and reads small JSON
 * replies; undici's `fetch` runs each through web streams (a Request, a body
 * encoded and streamed, a reply read chunk by chunk), which cost a fifth of
 * a master's time at high task rates (bench/RESULTS.md, e2e). This one
 * writes the body string in one go and hands back a real Response over the
 * reply's bytes. It speaks plain http: anything else goes to the global
 * `fetch`. Failures look like fetch's: a TypeError with the cause, or the
 * signal's reason when aborted.
 */
import { Agent, request } from "node:http";

/** Keep-alive connections, reused across requests to the same host. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

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
    const req = request(url, { method: init.method ?? "GET", headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (e) => reject(new TypeError("fetch failed", { cause: e })));
      res.on("end", () => {
        signal?.removeEventListener("abort", onAbort);
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(", ") : v);
        const status = res.statusCode ?? 0;
        // A Response may not carry a body with these statuses.
        const empty = status === 204 || status === 205 || status === 304 || init.method === "HEAD";
        resolve(new Response(empty ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage, headers: h }));
      });
    });
    const onAbort = () => {
      req.destroy();
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    req.on("error", (e) => {
      signal?.removeEventListener("abort", onAbort);
      if (!signal?.aborted) reject(new TypeError("fetch failed", { cause: e }));
    });
    req.end(body ?? undefined);
  });
}
