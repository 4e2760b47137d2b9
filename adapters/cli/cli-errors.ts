/**
 * The command line's errors and how a failed request becomes a message
 * (L2, L3): every message names the flag or the URL and says what was
 * expected; each error carries its exit code.
 */
import { EXIT, type ExitCode } from "./exit-codes.ts";

/** A mistake on the command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A command that cannot go on: its message is printed as it is, and the process exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(message: string, readonly exitCode: ExitCode) {
    super(message);
  }
}

/** Words in a runtime's connection error and the system code they mean (Deno's fetch names no code). */
const WORDS: ReadonlyArray<[RegExp, string]> = [
  [/connection refused/i, "ECONNREFUSED"],
  [/connection reset|other side closed|socket hang up/i, "ECONNRESET"],
  [/dns error|failed to lookup|name or service not known|no such host/i, "ENOTFOUND"],
  [/timed out/i, "ETIMEDOUT"],
  [/host is unreachable|no route to host/i, "EHOSTUNREACH"],
  [/network is unreachable/i, "ENETUNREACH"],
];

/**
 * The reason a request never got an answer, as short as it can be said: the
 * system error code (ECONNREFUSED, ENOTFOUND…) when the runtime gives one —
 * Node's fetch hides it in `cause` (or in `cause.errors` when it tried
 * several addresses) — else what the message's words mean, else the message.
 */
export function connectionReason(e: unknown): string {
  const seen: unknown[] = [];
  const walk = (x: unknown): string | undefined => {
    if (typeof x !== "object" || x === null || seen.includes(x)) return undefined;
    seen.push(x);
    const code = (x as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
    for (const inner of (x as { errors?: unknown[] }).errors ?? []) {
      const c = walk(inner);
      if (c) return c;
    }
    return walk((x as { cause?: unknown }).cause);
  };
  const code = walk(e);
  if (code) return code;
  const text = messages(e).join(": ");
  for (const [re, c] of WORDS) if (re.test(text)) return c;
  return text || String(e);
}

/** The messages of an error and its causes. */
function messages(e: unknown): string[] {
  const out: string[] = [];
  for (let x = e, i = 0; x instanceof Error && i < 5; x = (x as { cause?: unknown }).cause, i++) out.push(x.message);
  return out;
}

/** True when `e` is a request that got no answer (fetch rejects with a TypeError), not a bug of ours. */
export function isConnectionError(e: unknown): boolean {
  // Node: TypeError "fetch failed" (the reason in `cause`); Deno: TypeError "error sending request for url …".
  return e instanceof TypeError && (/fetch failed|error sending request|network|connect/i.test(e.message) || (e as { cause?: unknown }).cause !== undefined);
}

/** "cannot reach the master at URL (ECONNREFUSED) — is it running?" (L2), exit code 3. */
export function unreachable(url: string, e: unknown): CliError {
  return new CliError(`cannot reach the master at ${url} (${connectionReason(e)}) — is it running?`, EXIT.unreachable);
}

/** A master's refusal: "STATUS: its error"; 404 (an unknown id) exits 4, anything else 1. */
export function refused(status: number, body: unknown): CliError {
  const error = typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string"
    ? (body as { error: string }).error
    : JSON.stringify(body);
  return new CliError(`${status}: ${error}`, status === 404 ? EXIT.unknownId : EXIT.failed);
}
