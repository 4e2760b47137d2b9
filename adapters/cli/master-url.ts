/**
 * The master URLs a command is pointed at (L2): `--master URL` (repeated or
 * comma-separated) or TASKMILL_MASTER. Each must be a master's base URL —
 * http(s), a host, no path — since the commands add `/api/…` to it: a URL
 * without a scheme or with a path is refused naming where it came from.
 */
import { UsageError } from "./cli-errors.ts";

/** An example of what is expected, in every message. */
const LIKE = "http://127.0.0.1:7070";

/**
 * Checks one master URL; returns its origin (no trailing slash). `source`
 * names where it came from: "--master" or "TASKMILL_MASTER". With
 * `allowPath` (a worker's --master, --advertise: a master may sit behind a
 * proxy under a path), a path is kept, without its trailing slash.
 */
export function masterUrl(source: string, value: string, o: { allowPath?: boolean } = {}): string {
  let u: URL | undefined;
  try {
    u = /^https?:\/\//i.test(value) ? new URL(value) : undefined;
  } catch {
    u = undefined;
  }
  if (u === undefined || u.hostname === "") throw new UsageError(`${source}: expected an http(s) URL like ${LIKE}, got '${value}'`);
  // First, so no message below repeats a password.
  if (u.username !== "" || u.password !== "") {
    throw new UsageError(`${source}: expected a URL without a user or password (give the token with --token-file), got '${u.protocol}//…@${u.host}'`);
  }
  if ((!o.allowPath && u.pathname !== "/") || u.search !== "" || u.hash !== "") {
    const what = o.allowPath ? "the master's URL with no query or fragment" : "the master's base URL with no path";
    throw new UsageError(`${source}: expected ${what}, like ${LIKE}, got '${value}'`);
  }
  return u.origin + (o.allowPath ? u.pathname.replace(/\/+$/, "") : "");
}

/**
 * The master URLs of a command: the --master values (each may be a
 * comma-separated list), else TASKMILL_MASTER's; duplicates dropped. None
 * at all is a usage mistake.
 */
export function masterUrls(flag: readonly string[] | undefined, env: string | undefined, o: { allowPath?: boolean } = {}): string[] {
  const split = (v: string) => v.split(",").map((x) => x.trim()).filter((x) => x !== "");
  const given = (flag ?? []).flatMap(split);
  if (given.length > 0) return [...new Set(given.map((v) => masterUrl("--master", v, o)))];
  const fromEnv = split(env ?? "");
  if (fromEnv.length > 0) return [...new Set(fromEnv.map((v) => masterUrl("TASKMILL_MASTER", v, o)))];
  throw new UsageError(`--master is required (or set TASKMILL_MASTER), e.g. --master ${LIKE}`);
}
