/**
 * The Transport between a page and its Web Workers, over MessagePorts (one
 * MessageChannel per worker). Same semantics as the in-process transport:
 * every frame crosses as JSON text, a message is validated (zod) on arrival
 * and refused with bad_request when malformed, a handler that throws is a
 * server error, and an address nobody serves is refused.
 *
 * Frames, as JSON text: {k:"req", id, to, msg} · {k:"res", id, reply} ·
 * {k:"err", id, failure, detail}. Ids are per sender, so both ends of one
 * port may request at once.
 *
 * Faults, for the simulation: `fault(address, "drop")` loses every frame to
 * and from that address's port (a cut cable: requests time out);
 * `disconnect(address)` is a dead peer: waiting requests and new ones are
 * refused at once, as a closed TCP port would be.
 */
import type { Clock, TimerId } from "../../src/runtime/clock.ts";
import type { MasterMessage, WorkerMessage, Message } from "../../src/protocol/messages.ts";
import type { Reply } from "../../src/protocol/replies.ts";
import { deliverLocally } from "../../src/protocol/deliver.ts";
import { Endpoints } from "../../src/protocol/endpoints.ts";
import { parseMessage } from "../../src/protocol/validate.ts";
import { checkReply } from "../../src/protocol/reply-check.ts";
import { TransportError, type Handler, type ReplyOf, type Transport, type TransportFailure } from "../../src/protocol/transport.ts";
import { expectInt } from "../../src/errors/validate.ts";

/** What the transport needs of a port: a MessagePort (page or Web Worker side). */
export interface PortLike {
  postMessage(data: string): void;
  addEventListener(type: "message", listener: (e: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (e: MessageEvent) => void): void;
  start?(): void;
  close?(): void;
}

/** Options of a PortTransport. */
export interface PortTransportOptions {
  /** Timeout of a request that names none, in ms. @default 30000 */
  timeoutMs?: number;
}

type Frame =
  | { k: "req"; id: number; to: string; msg: unknown }
  | { k: "res"; id: number; reply: Reply }
  | { k: "err"; id: number; failure: TransportFailure; detail: string };

/** A port and what listens on it. */
interface Link {
  port: PortLike;
  listener: (e: MessageEvent) => void;
  /** Addresses reached through this port. */
  addresses: Set<string>;
  /** Frames to and from this port are lost. */
  dropped: boolean;
}

interface Pending {
  link: Link;
  to: string;
  /** The request's message type: its reply is checked against that type's shape. */
  type: Message["type"];
  resolve: (r: Reply) => void;
  reject: (e: TransportError) => void;
  timer: TimerId;
}

const FAILURES: readonly TransportFailure[] = ["refused", "timeout", "server"];

/** Reads a frame from JSON text; null when it is not one. */
function readFrame(data: unknown): Frame | null {
  if (typeof data !== "string") return null;
  let f: Record<string, unknown>;
  try {
    f = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof f !== "object" || f === null || !Number.isSafeInteger(f.id)) return null;
  if (f.k === "req" && typeof f.to === "string") return f as Frame;
  if (f.k === "res" && typeof f.reply === "object" && f.reply !== null) return f as Frame;
  if (f.k === "err" && FAILURES.includes(f.failure as TransportFailure) && typeof f.detail === "string") return f as Frame;
  return null;
}

/**
 * Message delivery over MessagePorts: `connect(address, port)` makes an
 * address reachable through a port; requests arriving on a connected port go
 * to the endpoints this transport serves.
 * @example
 * const ch = new MessageChannel();
 * pageTransport.connect("w1", ch.port1);        // the page reaches w1 through port1
 * webWorker.postMessage({ port: ch.port2 }, [ch.port2]); // w1 connects "master" to port2
 */
export class PortTransport implements Transport {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #endpoints = new Endpoints();
  /** Address → the link that reaches it. */
  readonly #routes = new Map<string, Link>();
  readonly #links = new Map<PortLike, Link>();
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  /** @param clock used for request timeouts. */
  constructor(clock: Clock, options: PortTransportOptions = {}) {
    this.#clock = clock;
    this.#timeoutMs = expectInt("timeoutMs", options.timeoutMs ?? 30_000, 1);
  }

  serve(address: string, role: "master", handler: Handler<MasterMessage>): () => void;
  serve(address: string, role: "worker", handler: Handler<WorkerMessage>): () => void;
  serve(address: string, role: "master" | "worker", handler: Handler<never>): () => void {
    return this.#endpoints.add(address, role, handler);
  }

  /** Routes requests to `address` through `port`, and serves requests arriving on it. Returns disconnect. */
  connect(address: string, port: PortLike): () => void {
    if (this.#routes.has(address)) throw new Error(`address already connected: ${address}`);
    let link = this.#links.get(port);
    if (!link) {
      const l: Link = { port, listener: (e) => this.#receive(l, e.data), addresses: new Set(), dropped: false };
      port.addEventListener("message", l.listener);
      port.start?.();
      this.#links.set(port, l);
      link = l;
    }
    link.addresses.add(address);
    this.#routes.set(address, link);
    return () => this.disconnect(address);
  }

  /**
   * Forgets `address`, as if its peer died: requests waiting for it and new
   * ones are refused. The port is closed once no address uses it.
   */
  disconnect(address: string): void {
    const link = this.#routes.get(address);
    if (!link) return;
    this.#routes.delete(address);
    link.addresses.delete(address);
    for (const [id, p] of this.#pending) {
      if (p.to === address) this.#settle(id, (q) => q.reject(new TransportError("refused", address, "peer disconnected")));
    }
    if (link.addresses.size === 0) {
      link.port.removeEventListener("message", link.listener);
      link.port.close?.();
      this.#links.delete(link.port);
    }
  }

  /** `"drop"` loses every frame to and from the port of `address` (requests time out); undefined heals it. */
  fault(address: string, fault: "drop" | undefined): void {
    const link = this.#routes.get(address);
    if (link) link.dropped = fault === "drop";
  }

  /** Addresses reachable through a port. */
  get connected(): string[] {
    return [...this.#routes.keys()];
  }

  async request<M extends Message>(to: string, msg: M, options: { timeoutMs?: number } = {}): Promise<ReplyOf[M["type"]]> {
    const local = this.#endpoints.get(to);
    if (local) return (await deliverLocally(to, local.role, local.handler, msg)) as ReplyOf[M["type"]];
    const link = this.#routes.get(to);
    if (!link) throw new TransportError("refused", to, "no endpoint at this address");
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const id = this.#nextId++;
    const text = JSON.stringify({ k: "req", id, to, msg } satisfies Frame);
    return new Promise<Reply>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        this.#settle(id, (p) => p.reject(new TransportError("timeout", to, `no reply within ${timeoutMs} ms`)));
      }, timeoutMs);
      this.#pending.set(id, { link, to, type: msg.type, resolve, reject, timer });
      if (!link.dropped) link.port.postMessage(text);
    }) as Promise<ReplyOf[M["type"]]>;
  }

  #settle(id: number, fn: (p: Pending) => void): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    this.#clock.clearTimeout(p.timer);
    fn(p);
  }

  #receive(link: Link, data: unknown): void {
    if (link.dropped) return;
    const f = readFrame(data);
    if (!f) return; // not a frame of ours: nothing to answer
    if (f.k === "req") {
      void this.#answer(link, f.id, f.to, f.msg);
      return;
    }
    // A reply counts only on the port its request left by.
    if (this.#pending.get(f.id)?.link !== link) return;
    if (f.k === "res") {
      this.#settle(f.id, (p) => {
        // A malformed reply is a server error, as over HTTP (src/protocol/reply-check.ts).
        let reply: Reply;
        try {
          reply = checkReply(p.type, f.reply, p.to);
        } catch (e) {
          return p.reject(e as TransportError);
        }
        p.resolve(reply);
      });
    }
    else this.#settle(f.id, (p) => p.reject(new TransportError(f.failure, p.to, f.detail)));
  }

  async #answer(link: Link, id: number, to: string, raw: unknown): Promise<void> {
    let frame: Frame;
    const ep = this.#endpoints.get(to);
    if (!ep) {
      frame = { k: "err", id, failure: "refused", detail: "no endpoint at this address" };
    } else {
      const parsed = parseMessage(ep.role, raw);
      if (!parsed.ok) frame = { k: "res", id, reply: parsed };
      else {
        try {
          frame = { k: "res", id, reply: await (ep.handler as Handler)(parsed.value) };
        } catch (e) {
          frame = { k: "err", id, failure: "server", detail: e instanceof Error ? e.message : String(e) };
        }
      }
    }
    if (!link.dropped && this.#links.get(link.port) === link) link.port.postMessage(JSON.stringify(frame));
  }
}
