/**
 * The command line's errors and how a failed request becomes a message
 * (L2, L3): every message names the flag or the URL and says what was
 * expected; each error carries its exit code.
 */
import { EXIT, type ExitCode } from "./exit-codes.ts";
import { ClientError } from "../../src/client/client-error.ts";
import { connectionReason } from "../../src/client/connection-reason.ts";

export { connectionReason };

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

/** True when `e` is a request that got no answer (fetch rejects with a TypeError), not a bug of ours. */
export function isConnectionError(e: unknown): boolean {
  // The typed client (src/client) turns a request that reached no master into a ClientError without a status.
  if (e instanceof ClientError) return e.status === null;
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
