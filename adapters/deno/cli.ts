/**
 * taskmill on Deno: `master` and `worker`, printing the same JSON ready lines as
 * the Node CLI. From the repository, offline (packages from node_modules, Deno
 * KV switched on by the config):
 *   deno run --config adapters/deno/deno.json --cached-only --allow-net --allow-read --allow-write \
 *     --allow-env=TASKMILL_TOKEN --allow-sys=loadavg,systemMemoryInfo,hostname \
 *     adapters/deno/cli.ts master --port 7070 --store kv:taskmill.kv --processors examples/primes.ts
 * @module
 */
import { runMaster } from "./commands/master.ts";
import { runWorker } from "./commands/worker.ts";
import { resolveToken } from "../../src/http/token-source.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";

const HELP = `taskmill on Deno

Usage:
  cli.ts master [--port P] [--host H] [--store memory|kv:PATH] [--processors MODULE] [--token-file PATH] [--slots N] [--max-body-bytes N]
                [--allow-origin URL ...] [--allow-host NAME ...] [--insecure] [--max-instances N] [--max-event-streams N]
  cli.ts worker --master URL --processors MODULE [--port P] [--host H] [--id ID] [--slots N] [--heartbeat-ms MS] [--token-file PATH]
                [--allow-host NAME ...] [--insecure]

  --port P            port to listen on (master default 7070, worker default 0; 0 picks a free one)
  --host H            address to listen on (default 127.0.0.1); without a token only a loopback
                      address, unless --insecure (then with a loud warning)
  --store S           memory (default) or kv:PATH: Deno KV in a file (--unstable-kv, on in adapters/deno/deno.json;
                      "kv:" alone is Deno's default database)
  --slots N           tasks run at once (master's own worker default 64, worker default 8)
  --processors MODULE ES module (.ts or .js) whose named exports are processors
  --master URL        (worker) the master to join, e.g. http://127.0.0.1:7070
  --id ID             (worker) worker id (default hostname:port)
  --heartbeat-ms MS   (worker) heartbeat interval (default 1000)
  --max-body-bytes N  (master) largest request body accepted (default 16777216)
  --allow-origin URL  (master) a web origin besides the master's own whose pages may change state (repeatable)
  --allow-host NAME   a host name requests may carry besides --host and loopback (repeatable); others get 421
  --max-instances N   (master) instances running at once at most (default 1000); a submit past it gets 429
  --max-event-streams N (master) event streams open at once at most (default 1000)
  --token-file PATH   bearer token on every route and request, read from this file (needs --allow-read
                      of it), or TASKMILL_TOKEN with --allow-env; --token T also works, but ps shows it
  --insecure          listen on a non-loopback --host without a token`;

/** Options that take a value, per command. */
const OPTIONS = {
  master: [
    "port", "host", "store", "processors", "token", "token-file", "slots", "max-body-bytes", "allow-origin", "allow-host", "max-instances", "max-event-streams",
  ],
  worker: ["master", "processors", "port", "host", "id", "slots", "heartbeat-ms", "token", "token-file", "allow-host"],
} as const;
/** Options that may be given more than once (each value kept). */
const REPEATED = new Set(["allow-origin", "allow-host"]);
/** Options that take no value. */
const FLAGS = new Set(["insecure"]);

/** A CLI mistake: printed with the help, exit code 2. */
class UsageError extends Error {}

function int(name: string, v: string | undefined, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  const n = v.trim() === "" ? NaN : Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: Expected an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

function required(name: string, v: string | undefined): string {
  if (v === undefined || v === "") throw new UsageError(`--${name} is required`);
  return v;
}

/** Parsed options: the last value of each, every value of the repeated ones, and the flags given. */
interface Parsed {
  v: Record<string, string | undefined>;
  all: Record<string, string[]>;
  flags: Set<string>;
}

/** `--name value` and `--name=value` pairs of `cmd`'s options (no node:util, so the adapter needs no @types/node). */
function parse(cmd: keyof typeof OPTIONS, args: string[]): Parsed {
  const out: Parsed = { v: {}, all: {}, flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(args[i]!);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(args[i])}`);
    const name = m[1]!;
    if (FLAGS.has(name)) {
      if (m[2] !== undefined) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    if (!(OPTIONS[cmd] as readonly string[]).includes(name)) throw new UsageError(`unknown option --${name}`);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    out.v[name] = value;
    if (REPEATED.has(name)) (out.all[name] ??= []).push(...value.split(",").map((x) => x.trim()).filter((x) => x !== ""));
  }
  return out;
}

/** --allow-origin values: origins exactly as a browser sends them (H2). */
function origins(list: string[] = []): string[] {
  return list.map((u) => {
    let origin: string;
    try { origin = new URL(u).origin; } catch { origin = "null"; }
    if (!/^https?:\/\//.test(u) || origin !== u.replace(/\/+$/, "")) throw new UsageError(`--allow-origin: Expected an origin like https://ops.example.com (no path), got ${JSON.stringify(u)}`);
    return origin;
  });
}

/** --allow-host values: bare host names (H4). */
function hostNames(list: string[] = []): string[] {
  for (const h of list) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)$/.test(h)) throw new UsageError(`--allow-host: Expected a host name like jobs.example.com (no scheme, port or path), got ${JSON.stringify(h)}`);
  }
  return list;
}

/** The token of --token-file, --token or TASKMILL_TOKEN (H6); a bad source is a usage mistake naming its flag. */
function token(v: Record<string, string | undefined>): string | undefined {
  try {
    const t = resolveToken({ flag: v.token, file: v["token-file"], env: envToken(), readFile: (path) => Deno.readTextFileSync(path) });
    if (t.warning) console.error(t.warning);
    return t.token;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new UsageError(`--${e.message}`);
  }
}

/** TASKMILL_TOKEN when env access is granted (never prompting). */
function envToken(): string | undefined {
  return Deno.permissions.querySync({ name: "env", variable: "TASKMILL_TOKEN" }).state === "granted" ? Deno.env.get("TASKMILL_TOKEN") : undefined;
}

/** Waits for SIGINT or SIGTERM, then runs `stop`. */
function untilSignal(stop: () => Promise<void>): Promise<number> {
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  return new Promise((resolve) => {
    const on = () => {
      for (const s of signals) Deno.removeSignalListener(s, on);
      void stop().then(() => resolve(0));
    };
    for (const s of signals) Deno.addSignalListener(s, on);
  });
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") { console.log(HELP); return 0; }
  if (cmd !== "master" && cmd !== "worker") { console.error(`taskmill: unknown command "${cmd}" (Expected master or worker)\n\n${HELP}`); return 2; }
  if (rest.includes("--help") || rest.includes("-h")) { console.log(HELP); return 0; }
  try {
    const { v, all, flags } = parse(cmd, rest);
    const host = v.host ?? "127.0.0.1";
    const insecure = flags.has("insecure");
    const allowHosts = hostNames(all["allow-host"]);
    if (cmd === "master") {
      const m = await runMaster({
        port: int("port", v.port, 7070, 0), host, store: v.store ?? "memory", token: token(v), processors: v.processors,
        slots: int("slots", v.slots, 64), maxBodyBytes: int("max-body-bytes", v["max-body-bytes"], 16 * 2 ** 20, 1024),
        allowOrigins: origins(all["allow-origin"]), allowHosts, insecure,
        maxRunningInstances: int("max-instances", v["max-instances"], 1000), maxEventStreams: int("max-event-streams", v["max-event-streams"], 1000),
      });
      return await untilSignal(m.stop);
    }
    const stop = await runWorker({
      master: required("master", v.master), processors: required("processors", v.processors), slots: int("slots", v.slots, 8),
      port: int("port", v.port, 0, 0), host, id: v.id, token: token(v), heartbeatMs: int("heartbeat-ms", v["heartbeat-ms"], 1000),
      allowHosts, insecure,
    });
    return await untilSignal(stop);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`taskmill ${cmd}: ${(e as Error).message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
}

main(Deno.args).then((code) => Deno.exit(code), (e: unknown) => {
  console.error(`taskmill: ${e instanceof Error ? e.message : String(e)}`);
  Deno.exit(1);
});
