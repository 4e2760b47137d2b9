import type { Clock } from "../runtime/clock.ts";
import type { MasterMessage, WorkerMessage, Message } from "./messages.ts";
import { TransportError, type Handler, type ReplyOf, type Transport, type TransportFailure } from "./transport.ts";
import { deliverLocally } from "./deliver.ts";
import { Endpoints } from "./endpoints.ts";

/**
 * Delivers messages between endpoints in one process. Each message and reply
 * goes through JSON and is validated on arrival, exactly as over HTTP. Tests
 * inject faults per address: refuse connections, fail with 5xx, or hang (a
 * paused process) until resumed or timed out.
 */
export class InProcessNetwork implements Transport {
  readonly #endpoints = new Endpoints();
  readonly #faults = new Map<string, TransportFailure | "hang">();
  readonly #hung = new Map<string, Array<() => void>>();
  /** Messages delivered, by type (for tests and metrics). */
  readonly delivered = new Map<string, number>();

  /** @param clock used for request timeouts. */
  constructor(private readonly clock: Clock) {}

  serve(address: string, role: "master", handler: Handler<MasterMessage>): () => void;
  serve(address: string, role: "worker", handler: Handler<WorkerMessage>): () => void;
  serve(address: string, role: "master" | "worker", handler: Handler<never>): () => void {
    return this.#endpoints.add(address, role, handler);
  }

  /** Makes requests to `address` fail (refused, timeout, server) or hang; undefined heals it. */
  fault(address: string, failure: TransportFailure | "hang" | undefined): void {
    if (failure === undefined) {
      this.#faults.delete(address);
      for (const resume of this.#hung.get(address) ?? []) resume();
      this.#hung.delete(address);
    } else this.#faults.set(address, failure);
  }

  async request<M extends Message>(to: string, msg: M, options: { timeoutMs?: number } = {}): Promise<ReplyOf[M["type"]]> {
    const fault = this.#faults.get(to);
    if (fault === "hang") await this.#hang(to, options.timeoutMs);
    else if (fault) throw new TransportError(fault, to, "injected fault");
    const ep = this.#endpoints.get(to);
    if (!ep) throw new TransportError("refused", to, "no endpoint at this address");
    this.delivered.set(msg.type, (this.delivered.get(msg.type) ?? 0) + 1);
    return (await deliverLocally(to, ep.role, ep.handler, msg)) as ReplyOf[M["type"]];
  }

  #hang(to: string, timeoutMs: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: number | undefined;
      const resume = () => { if (timer !== undefined) this.clock.clearTimeout(timer); resolve(); };
      const list = this.#hung.get(to) ?? [];
      list.push(resume);
      this.#hung.set(to, list);
      if (timeoutMs !== undefined) {
        timer = this.clock.setTimeout(() => {
          const l = this.#hung.get(to);
          if (l) l.splice(l.indexOf(resume), 1);
          reject(new TransportError("timeout", to, `no reply within ${timeoutMs} ms`));
        }, timeoutMs);
      }
    });
  }
}
