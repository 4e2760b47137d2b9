/**
 * The Transport over HTTP. `request` POSTs a message to its route under the
 * receiver's address (an URL); `serve` mounts an endpoint on this process's
 * Hono app (`app`), which an adapter serves. Requests to an endpoint of this
 * same process skip the network but keep the wire's semantics.
 */
import { Hono } from "hono";
import type { MasterMessage, Message, WorkerMessage } from "../protocol/messages.ts";
import { TransportError, type Handler, type ReplyOf, type Transport } from "../protocol/transport.ts";
import { refuse, type Reply } from "../protocol/replies.ts";
import { deliverLocally } from "../protocol/deliver.ts";
import { EventLoopYield } from "../runtime/yield.ts";
import { hc } from "hono/client";
import { masterEndpointApp, workerEndpointApp, onError, type MasterEndpointApp, type WorkerEndpointApp } from "./endpoint-app.ts";
import { codeOfStatus } from "./status.ts";
import { errorMessage } from "../errors/error-message.ts";
import { ValidationError } from "../errors/validation-error.ts";
import { expectInt } from "../errors/validate.ts";
import { checkReply } from "../protocol/reply-check.ts";
import { readLimited } from "./read-limited.ts";

/** Bytes of a 5xx reply's text read for its error message: the rest is dropped unread. */
const SERVER_ERROR_TEXT_BYTES = 4096;

/** Options of the HTTP transport. */
export interface HttpTransportOptions {
  /** Bearer token sent with every request and required by every route served. @default none */
  token?: string;
  /** Request timeout in ms (also the default when a request names none). @default 30000 */
  timeoutMs?: number;
  /** Largest request body accepted by the endpoints served, in bytes. @default 16 MiB */
  maxBodyBytes?: number;
  /**
   * Largest reply read, in bytes: a longer one is cut off while it streams and
   * the request fails as a TransportError "server" (a peer cannot make this
   * process hold more). @default 16 MiB
   */
  maxReplyBytes?: number;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
}

interface Local {
  role: "master" | "worker";
  handler: Handler<never> | undefined;
}

/** Strips a trailing slash. */
function norm(url: string): string {
  return url.endsWith("/") ? url.slice(0, -1) : url;
}

/** HTTP transport for one process whose endpoints live under `baseUrl`. */
export class HttpTransport implements Transport {
  /** Every endpoint this process serves, mounted at its address's path. */
  readonly app = new Hono();
  readonly baseUrl: string;
  readonly #o: HttpTransportOptions;
  readonly #local = new Map<string, Local>();
  readonly #yield = new EventLoopYield();
  readonly #maxReplyBytes: number;

  constructor(baseUrl: string, o: HttpTransportOptions = {}) {
    let u: URL;
    try {
      u = new URL(baseUrl);
    } catch {
      throw new ValidationError("baseUrl", "an http:// or https:// URL", baseUrl);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new ValidationError("baseUrl", "an http:// or https:// URL", baseUrl);
    this.baseUrl = norm(baseUrl);
    this.#o = o;
    this.#maxReplyBytes = expectInt("maxReplyBytes", o.maxReplyBytes ?? 16 * 2 ** 20, 1);
    this.app.onError(onError);
  }

  serve(address: string, role: "master", handler: Handler<MasterMessage>): () => void;
  serve(address: string, role: "worker", handler: Handler<WorkerMessage>): () => void;
  serve(address: string, role: "master" | "worker", handler: Handler<never>): () => void {
    const a = norm(address);
    if (a !== this.baseUrl && !a.startsWith(this.baseUrl + "/")) {
      throw new ValidationError("address", `an URL under ${this.baseUrl}`, address);
    }
    const existing = this.#local.get(a);
    if (existing?.handler) throw new Error(`address already served: ${address}`);
    const local: Local = existing ?? { role, handler: undefined };
    local.handler = handler;
    if (!existing) {
      this.#local.set(a, local);
      const path = a.slice(this.baseUrl.length) || "/";
      const dispatch: Handler = (msg) => local.handler
        ? (local.handler as Handler)(msg)
        : Promise.resolve(refuse("not_running", `nothing is served at ${a} any more`));
      const o = { token: this.#o.token, maxBodyBytes: this.#o.maxBodyBytes };
      this.app.route(path, role === "master" ? masterEndpointApp(dispatch, o) : workerEndpointApp(dispatch, o));
    }
    return () => { if (local.handler === handler) local.handler = undefined; };
  }

  /** Typed clients (hono/client) of the endpoints at each address. */
  readonly #clients = new Map<string, { m: ReturnType<typeof hc<MasterEndpointApp>>; w: ReturnType<typeof hc<WorkerEndpointApp>> }>();

  /** POSTs a message through the typed client of its receiver's endpoint. */
  #send(target: string, msg: Message, init: RequestInit): Promise<Response> {
    let c = this.#clients.get(target);
    if (!c) {
      const headers: Record<string, string> = this.#o.token === undefined ? {} : { authorization: `Bearer ${this.#o.token}` };
      const opts = { fetch: this.#o.fetch ?? fetch, headers };
      c = { m: hc<MasterEndpointApp>(target, opts), w: hc<WorkerEndpointApp>(target, opts) };
      this.#clients.set(target, c);
    }
    const o = { init };
    switch (msg.type) {
      case "register": return c.m.workers.register.$post({ json: msg }, o);
      case "heartbeat": return c.m.workers.heartbeat.$post({ json: msg }, o);
      case "report": return c.m.workers.report.$post({ json: msg }, o);
      case "map": return c.m.workers.map.$post({ json: msg }, o);
      case "pull": return c.m.workers.pull.$post({ json: msg }, o);
      case "start": return c.w.tasks.start.$post({ json: msg }, o);
      case "notifyPull": return c.w.tasks["pull-notice"].$post({ json: msg }, o);
      case "killTask": return c.w.tasks.kill.$post({ json: msg }, o);
      case "killInstance": return c.w.instances.kill.$post({ json: msg }, o);
      case "destroyPool": return c.w.instances.destroy.$post({ json: msg }, o);
    }
  }

  async request<M extends Message>(to: string, msg: M, options: { timeoutMs?: number } = {}): Promise<ReplyOf[M["type"]]> {
    const target = norm(to);
    const local = this.#local.get(target);
    if (local?.handler) {
      // Over the wire every request lets the event loop run; a local one must too, or a task on
      // the master's own worker mapping in a loop starves the master's sockets and timers.
      await this.#yield.maybe();
      return (await deliverLocally(target, local.role, local.handler, msg)) as ReplyOf[M["type"]];
    }
    const timeoutMs = options.timeoutMs ?? this.#o.timeoutMs ?? 30_000;
    let res: Response;
    try {
      res = await this.#send(target, msg as Message, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === "TimeoutError" || name === "AbortError") throw new TransportError("timeout", target, `no reply within ${timeoutMs} ms`);
      throw new TransportError("refused", target, (e as Error).message + ((e as { cause?: Error }).cause ? `: ${(e as { cause: Error }).cause.message}` : ""));
    }
    if (res.status >= 500) {
      const { text } = await readLimited(res, SERVER_ERROR_TEXT_BYTES).catch(() => ({ text: "" }));
      throw new TransportError("server", target, `HTTP ${res.status} ${text.slice(0, 200)}`);
    }
    const max = this.#maxReplyBytes;
    let read: Awaited<ReturnType<typeof readLimited>>;
    try {
      read = await readLimited(res, max);
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === "TimeoutError" || name === "AbortError") throw new TransportError("timeout", target, `no whole reply within ${timeoutMs} ms`);
      throw new TransportError("server", target, `reply cut off: ${errorMessage(e)}`);
    }
    if (read.over) throw new TransportError("server", target, `reply to ${msg.type} larger than maxReplyBytes (${read.bytes} > ${max} bytes): not read further`);
    let body: unknown;
    try {
      body = JSON.parse(read.text);
    } catch {
      throw new TransportError("server", target, `HTTP ${res.status} with a body that is not JSON`);
    }
    if (res.ok) return checkReply(msg.type, body, target) as ReplyOf[M["type"]];
    // A 4xx: a definite answer. Endpoints answer refusals; middleware answers {error, field?}.
    const b = body as Partial<Reply & { error: string; field: string; code: string }>;
    if (typeof b !== "object" || b === null) throw new TransportError("server", target, `HTTP ${res.status} with a body that is not an object`);
    if (b.ok === false && typeof b.code === "string") return checkReply(msg.type, b, target) as ReplyOf[M["type"]];
    const r = refuse(codeOfStatus(res.status), typeof b.error === "string" ? b.error : `HTTP ${res.status}`, typeof b.field === "string" ? b.field : undefined);
    const retry = res.headers.get("retry-after");
    if (retry && Number(retry) > 0) r.retryAfterMs = Math.min(Number(retry), 3600) * 1000;
    return r as ReplyOf[M["type"]];
  }
}
