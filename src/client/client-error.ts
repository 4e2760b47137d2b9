import { connectionReason } from "./connection-reason.ts";

/**
 * What a taskmill client throws: the master answered an error status, or
 * could not be reached at all. Either way the message names the URL.
 */
export class ClientError extends Error {
  override readonly name = "ClientError";
  /** The HTTP status the master answered, or null when it could not be reached. */
  readonly status: number | null;
  /** The field the master blamed (its error body's `field`), when one was. */
  readonly field: string | undefined;
  /** The URL that was asked. */
  readonly url: string;
  /** The network error's code (`ECONNREFUSED`, `ENOTFOUND`…) when the master could not be reached. */
  readonly code: string | undefined;
  /** Seconds the master asked to wait before trying again (a 429 or 503's Retry-After). */
  readonly retryAfter: number | undefined;

  constructor(message: string, o: { status: number | null; url: string; field?: string; code?: string; retryAfter?: number; cause?: unknown }) {
    super(message, o.cause === undefined ? undefined : { cause: o.cause });
    this.status = o.status;
    this.url = o.url;
    this.field = o.field;
    this.code = o.code;
    this.retryAfter = o.retryAfter;
  }

  /** True when the master could not be reached, or answered that it cannot serve now (502, 503, 504): worth trying again. */
  get transient(): boolean {
    return this.status === null || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

/** Whether a failed fetch met a connection closed under it (a kept-alive socket the server had closed). */
export function isStaleConnection(e: unknown): boolean {
  const reason = connectionReason(e);
  return reason === "UND_ERR_SOCKET" || reason === "ECONNRESET" || reason === "EPIPE";
}

/** The error of a request that reached no master: "cannot reach the master at URL (ECONNREFUSED) — is it running?". */
export function unreachableError(base: string, url: string, e: unknown): ClientError {
  const reason = connectionReason(e);
  const code = /^E[A-Z_]+$/.test(reason) || /^UND_ERR/.test(reason) ? reason : undefined;
  return new ClientError(`cannot reach the master at ${base} (${reason}) — is it running?`, { status: null, url, code, cause: e });
}

/**
 * The error of a reply with an error status: the master's own message and field
 * (its body is `{error, field?}`), or the status text when the body is not that.
 */
export async function statusError(res: Response, url: string): Promise<ClientError> {
  let error: string | undefined;
  let field: string | undefined;
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: unknown; field?: unknown };
    if (typeof body.error === "string") error = body.error;
    if (typeof body.field === "string") field = body.field;
  } catch {
    // Not JSON (a proxy's page, or not a taskmill master at all): the start of the text says what it was.
  }
  const what = error ?? (text.trim().slice(0, 200) || res.statusText || "no body");
  const wait = Number(res.headers.get("retry-after"));
  return new ClientError(`${res.status} from ${url}: ${what}`, {
    status: res.status, url, field, retryAfter: Number.isFinite(wait) && wait > 0 ? wait : undefined,
  });
}
