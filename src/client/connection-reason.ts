/**
 * Why a request got no answer, as a short reason: shared by the client's
 * errors and the command line's (L2) and the worker's log (L9).
 */

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
    if (typeof code === "string" && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
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

