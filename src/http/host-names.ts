/**
 * Names a process answers to (H4), and the check applied once in front of
 * everything it serves. DNS rebinding: a page at evil.example makes its own
 * name resolve to 127.0.0.1, and its requests then reach a master on loopback
 * as *same-origin* requests — no Origin check (H2) can see them. What they
 * cannot hide is the `Host` header: it still says evil.example. So every
 * request, reads included, must name a host this process serves. No Hono
 * here: the Deno adapter's server uses it as it is.
 */

/** What a process serves: the names a request's `Host` may carry. */
export interface ServedHosts {
  /** The address it binds (`--host`); a wildcard (0.0.0.0, ::) adds no name. */
  bind: string;
  /** The URL (or bare host) workers and other masters reach it at (`--advertise`). @default none */
  advertise?: string;
  /** More names it is reached by, e.g. behind a proxy (`--allow-host`, repeatable). @default none */
  allow?: readonly string[];
}

/** Names that always reach this machine and that no DNS answer can redirect. */
const LOOPBACK = ["localhost", "127.0.0.1", "::1"];

/** A host without its port and brackets, lower-cased; "" when it cannot be parsed. */
export function bareHost(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end < 0 ? "" : h.slice(1, end);
  }
  // One colon is a port; more is an unbracketed IPv6 address (as --host takes it).
  const colons = h.split(":").length - 1;
  // A trailing dot names the same host (an absolute DNS name).
  return (colons === 1 ? h.slice(0, h.indexOf(":")) : h).replace(/\.$/, "");
}

/** Whether `h` (bare) is an IP literal: a browser reaching one connects to that very address, so no rebinding is possible. */
function isIpLiteral(h: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || (h.includes(":") && /^[0-9a-f:.]+$/.test(h));
}

/** The host of a URL or of a bare name ("http://a.example:7070" → "a.example"). */
function hostOf(v: string): string {
  try {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? bareHost(new URL(v).host) : bareHost(v);
  } catch {
    return bareHost(v);
  }
}

/**
 * The names of `o`, bare and lower-cased: loopback names, the bind address
 * unless a wildcard, the advertised host and the allowed ones.
 */
export function servedHostNames(o: ServedHosts): Set<string> {
  const names = new Set(LOOPBACK);
  for (const v of [o.bind, o.advertise ?? "", ...(o.allow ?? [])]) {
    const h = hostOf(v);
    if (h !== "" && h !== "0.0.0.0" && h !== "::") names.add(h);
  }
  return names;
}

/**
 * Whether a request naming `host` may be answered: one of `names`, any
 * `*.localhost` (browsers resolve those to loopback themselves, RFC 6761), or
 * any IP literal. The port is not checked: rebinding is about the name, and a
 * proxy may present another port.
 */
export function hostServed(host: string, names: ReadonlySet<string>): boolean {
  const h = bareHost(host);
  if (h === "") return false;
  return names.has(h) || h.endsWith(".localhost") || isIpLiteral(h);
}

/** Anything that answers a Request: a Hono app, or a late-bound stand-in for one. */
export interface FetchHandler {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

/** The refusal of a request whose `host` is not served: `{error, field: "host"}`. */
export function hostRefusalMessage(host: string, names: ReadonlySet<string>): string {
  const list = [...names, "*.localhost", "any IP address"].join(", ");
  return `host: Expected one of the names this server answers to (${list}; more with --allow-host), got ${JSON.stringify(host)}`;
}

/**
 * H4: `app` behind the Host check, applied once in front of every route the
 * process serves — the API, the worker protocol, the pages, /metrics, /health
 * and the 404s — so no route added later can miss it. A request whose `Host`
 * is not served gets 421 (Misdirected Request) naming `host`; one with no
 * `Host` passes: every browser sends one, so it cannot come from a page
 * (HTTP/1.1 requires it anyway, and Node's server answers 400 without it).
 */
export function guardHost(app: FetchHandler, o: ServedHosts): FetchHandler {
  const names = servedHostNames(o);
  return {
    fetch(request, env) {
      const host = request.headers.get("host");
      if (host !== null && !hostServed(host, names)) {
        return Response.json({ error: hostRefusalMessage(host, names), field: "host" }, { status: 421 });
      }
      return app.fetch(request, env);
    },
  };
}
