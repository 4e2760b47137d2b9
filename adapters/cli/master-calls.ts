/**
 * A command's requests to its master(s) (L2): over the typed client
 * (`masterClient`, hono/client), with every way a request can go wrong
 * turned into a CliError that names the URL — no answer (exit 3), an answer
 * that is not a master's JSON (exit 3), a refusal (404: exit 4, else 1).
 * Given several URLs (masters sharing a store), a request goes to the first
 * that answers, and the one that answered is tried first next time.
 */
import { masterClient } from "../../src/client/index.ts";
import { CliError, isConnectionError, refused, unreachable } from "./cli-errors.ts";
import { EXIT } from "./exit-codes.ts";

/** The typed client of one master. */
export type MasterClient = ReturnType<typeof masterClient>;

/** A master's answer, read: its status and its JSON body. */
export interface Answer<T> {
  status: number;
  body: T;
  /** The master that answered. */
  url: string;
}

/** Requests to the masters a command was pointed at. */
export class MasterCalls {
  #current = 0;
  readonly #clients: MasterClient[];

  constructor(readonly urls: readonly string[], readonly token?: string) {
    this.#clients = urls.map((u) => masterClient(u, token));
  }

  /** The master tried first. */
  get url(): string {
    return this.urls[this.#current]!;
  }

  /** Headers every raw request carries (the event stream is read with plain fetch). */
  get headers(): Record<string, string> {
    return this.token === undefined ? {} : { authorization: `Bearer ${this.token}` };
  }

  /**
   * Sends a request through `send` to the first master that answers and
   * reads its JSON. No answer from any: CliError exit 3 naming the URL(s);
   * `ok` statuses resolve; any other: `refused` (404: exit 4).
   */
  async call<T>(send: (client: MasterClient, url: string) => Promise<Response>, ok: readonly number[] = [200]): Promise<Answer<T>> {
    const a = await this.raw<T>(send);
    if (!ok.includes(a.status)) throw refused(a.status, a.body);
    return a;
  }

  /** As `call`, but resolves with any status the master answers. */
  async raw<T>(send: (client: MasterClient, url: string) => Promise<Response>): Promise<Answer<T>> {
    let first: unknown;
    for (let k = 0; k < this.urls.length; k++) {
      const i = (this.#current + k) % this.urls.length;
      const url = this.urls[i]!;
      let res: Response;
      try {
        res = await send(this.#clients[i]!, url);
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        first ??= e;
        continue;
      }
      this.#current = i;
      return { status: res.status, body: await readJson<T>(url, res), url };
    }
    throw unreachable(this.urls.join(" or "), first);
  }
}

/**
 * A master's JSON body. Anything else — an HTML page, a proxy's text —
 * means the URL is not a taskmill master's (or has a path): exit 3, naming
 * the URL and what answered.
 */
export async function readJson<T>(url: string, res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    const type = res.headers.get("content-type") ?? "no content type";
    throw new CliError(
      `${url} answered ${res.status} (${type.split(";")[0]}) that is not a taskmill master's JSON — is --master the master's base URL, like http://127.0.0.1:7070?`,
      EXIT.unreachable,
    );
  }
}
