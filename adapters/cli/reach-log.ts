/**
 * A worker's log of the masters it cannot reach (L9): a `fetch` that goes
 * on as the one it wraps, but notes every request to a master that got no
 * answer and writes a `master-unreachable` line — the master, the attempt's
 * number, the reason, and when the next attempt comes — on the first
 * failure and then at most once every `everyMs` per master, so a master
 * down for ten minutes is a readable log, not silence and not a flood; and
 * a `master-reachable` line when it answers again. Only the master's URL and
 * the error's code are written: never a header, so never the token.
 */
import { connectionReason } from "./cli-errors.ts";
import { MESSAGE_ROUTES } from "../../src/http/routes.ts";

/** Options of `reachLogged`. */
export interface ReachLogOptions {
  /** The masters' URLs (origins) whose requests are watched. */
  masters: readonly string[];
  /** The worker's wait before it sends again after a failure, ms (its retryMs). */
  retryMs: number;
  /** The worker's heartbeat interval, ms: a failed heartbeat is tried again at the next one. */
  heartbeatMs: number;
  /** Writes one log line (an event object). */
  log: (line: Record<string, unknown>) => void;
  /** At most one line per master this often after the first failure, ms. @default 10000 */
  everyMs?: number;
  /** The time in ms. @default Date.now */
  now?: () => number;
}

/** What is known of one master's failures since it last answered. */
interface Down {
  attempts: number;
  since: number;
  loggedAt: number;
}

/** `fetch` with the log of the module comment. */
export function reachLogged(fetch: typeof globalThis.fetch, o: ReachLogOptions): typeof globalThis.fetch {
  const now = o.now ?? Date.now;
  const every = o.everyMs ?? 10_000;
  const down = new Map<string, Down>();
  const failed = (master: string, path: string, e: unknown) => {
    const t = now();
    const d = down.get(master) ?? { attempts: 0, since: t, loggedAt: -Infinity };
    down.set(master, d);
    d.attempts++;
    if (d.attempts > 1 && t - d.loggedAt < every) return;
    d.loggedAt = t;
    const inMs = path === MESSAGE_ROUTES.heartbeat ? o.heartbeatMs : o.retryMs;
    const next = new Date(t + inMs);
    const reason = connectionReason(e);
    o.log({
      event: "master-unreachable", master, attempt: d.attempts, error: reason, nextAttemptAt: next.toISOString(),
      message: `cannot reach the master at ${master} (${reason}) — attempt ${d.attempts}, down for ${Math.round((t - d.since) / 1000)} s; next attempt at ${next.toISOString().slice(11, 19)} UTC (in ${(inMs / 1000).toFixed(1)} s)`,
    });
  };
  const answered = (master: string) => {
    const d = down.get(master);
    if (!d) return;
    down.delete(master);
    o.log({ event: "master-reachable", master, afterAttempts: d.attempts, downForMs: now() - d.since });
  };
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const master = o.masters.find((m) => url.startsWith(`${m}/`));
    if (master === undefined) return fetch(input, init);
    try {
      const res = await fetch(input, init);
      answered(master);
      return res;
    } catch (e) {
      // A request this worker cancelled (it is closing) says nothing of the master; one it timed out does.
      const signal = init?.signal;
      if (!signal?.aborted || (signal.reason as Error | undefined)?.name === "TimeoutError") failed(master, url.slice(master.length).split("?")[0]!, e);
      throw e;
    }
  };
}
