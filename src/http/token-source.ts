/**
 * Where a bearer token comes from (H6): `--token-file PATH`, the environment
 * (TASKMILL_TOKEN), or `--token` — which works but is visible to every user
 * of the machine through `ps`, so it warns. The token itself is never
 * printed: every message names only its source.
 */
import { ValidationError } from "../errors/validation-error.ts";

/** What the command line and the environment say; `readFile` is the runtime's (Node fs, Deno). */
export interface TokenSources {
  /** `--token T`. */
  flag?: string;
  /** `--token-file PATH`. */
  file?: string;
  /** TASKMILL_TOKEN. */
  env?: string;
  /** Reads a file as text; throws when it cannot. */
  readFile: (path: string) => string;
}

/** The token to use (undefined: none) and a warning to print, if any. */
export interface ResolvedToken {
  token: string | undefined;
  warning: string | null;
}

/**
 * Picks the token: --token-file, else --token (with the `ps` warning), else
 * TASKMILL_TOKEN; both flags at once is a mistake. A file is read as text and
 * trimmed (editors add a newline); an unreadable or empty file, or an empty
 * --token, throws a ValidationError naming the flag.
 */
export function resolveToken(s: TokenSources): ResolvedToken {
  if (s.flag !== undefined && s.file !== undefined) throw new ValidationError("token", "either --token or --token-file, not both", "both");
  if (s.file !== undefined) {
    let text: string;
    try {
      text = s.readFile(s.file);
    } catch (e) {
      throw new ValidationError("token-file", `a readable file holding the token (${(e as Error).message})`, s.file);
    }
    const token = text.trim();
    if (token === "") throw new ValidationError("token-file", "a file holding a token, not an empty one", s.file);
    if (/[\r\n]/.test(token)) throw new ValidationError("token-file", "a file holding one token on one line", s.file);
    return { token, warning: null };
  }
  if (s.flag !== undefined) {
    if (s.flag.trim() === "") throw new ValidationError("token", "a non-empty token", s.flag);
    return { token: s.flag, warning: "taskmill: warning: --token is visible to every user of this machine (ps, /proc); prefer --token-file PATH or TASKMILL_TOKEN" };
  }
  const env = s.env?.trim();
  return { token: env === undefined || env === "" ? undefined : env, warning: null };
}
