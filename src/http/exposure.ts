/**
 * Who can reach a process without a token (H5). A master or worker with no
 * `--token` takes every request it can parse, so it must only be reachable
 * from this machine: it binds loopback unless the operator says otherwise,
 * twice (`--host` elsewhere and `--insecure`).
 */
import { ValidationError } from "../errors/validation-error.ts";
import { bareHost } from "./host-names.ts";

/** Whether `host` (a bind address or name) is this machine only: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const h = bareHost(host.includes(":") && !host.startsWith("[") && host.split(":").length > 2 ? `[${host}]` : host);
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** What a process binding `host` is told at start. */
export interface Exposure {
  /** A line for the operator: loopback only, or the loud warning of --insecure. */
  notice: string | null;
}

/**
 * H5: checks that a process binding `host` with or without a token is safe.
 * Loopback without a token: fine, and said ("loopback only"). Elsewhere
 * without a token: a ValidationError naming `host`, unless `insecure` — then
 * a warning. With a token, anything goes.
 * @example exposure({ host: "0.0.0.0", token: undefined, insecure: false, what: "master" }) // throws
 */
export function exposure(o: { host: string; token: string | undefined; insecure: boolean; what: "master" | "worker" }): Exposure {
  if (o.token !== undefined) return { notice: null };
  if (isLoopback(o.host)) {
    return { notice: `taskmill ${o.what}: no token, so listening on loopback only (${o.host}): only this machine can reach it; give --token-file (or TASKMILL_TOKEN) and --host to serve a network` };
  }
  if (!o.insecure) {
    throw new ValidationError("host", `a loopback address (127.0.0.1, ::1, localhost) when no token is given — anyone who reaches ${o.host} could run code here; give --token-file (or TASKMILL_TOKEN), or --insecure on a network you trust`, o.host);
  }
  return { notice: `WARNING: taskmill ${o.what} listens on ${o.host} WITHOUT A TOKEN (--insecure): anyone who can reach this address can submit jobs, kill instances and act as a worker or a master` };
}
