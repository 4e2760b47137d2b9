import type { Handler } from "./transport.ts";

/** An endpoint served in this process: its role and its handler. */
export interface Endpoint {
  role: "master" | "worker";
  handler: Handler<never>;
}

/** The endpoints a transport serves in this process, by address (one per address). */
export class Endpoints {
  readonly #byAddress = new Map<string, Endpoint>();

  /** Serves `handler` at `address`; returns the function that stops serving it. */
  add(address: string, role: Endpoint["role"], handler: Handler<never>): () => void {
    if (this.#byAddress.has(address)) throw new Error(`address already served: ${address}`);
    const ep: Endpoint = { role, handler };
    this.#byAddress.set(address, ep);
    return () => { if (this.#byAddress.get(address) === ep) this.#byAddress.delete(address); };
  }

  /** The endpoint at `address`, if served here. */
  get(address: string): Endpoint | undefined {
    return this.#byAddress.get(address);
  }
}
