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

const HELP = `taskmill on Deno

Usage:
  cli.ts master [--port P] [--host H] [--store memory|kv:PATH] [--processors MODULE] [--token T] [--slots N] [--max-body-bytes N]
  cli.ts worker --master URL --processors MODULE [--port P] [--host H] [--id ID] [--slots N] [--heartbeat-ms MS] [--token T]

  --port P            port to listen on (master default 7070, worker default 0; 0 picks a free one)
  --store S           memory (default) or kv:PATH: Deno KV in a file (--unstable-kv, on in adapters/deno/deno.json;
                      "kv:" alone is Deno's default database)
  --slots N           tasks run at once (master's own worker default 64, worker default 8)
  --processors MODULE ES module (.ts or .js) whose named exports are processors
  --master URL        (worker) the master to join, e.g. http://127.0.0.1:7070
  --id ID             (worker) worker id (default hostname:port)
  --heartbeat-ms MS   (worker) heartbeat interval (default 1000)
  --max-body-bytes N  (master) largest request body accepted (default 16777216)
  --token T           bearer token on every route and request (or TASKMILL_TOKEN with --allow-env)`;

/** Options that take a value, per command. */
const OPTIONS = {
  master: ["port", "host", "store", "processors", "token", "slots", "max-body-bytes"],
  worker: ["master", "processors", "port", "host", "id", "slots", "heartbeat-ms", "token"],
} as const;

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

/** `--name value` and `--name=value` pairs of `cmd`'s options (no node:util, so the adapter needs no @types/node). */
function parse(cmd: keyof typeof OPTIONS, args: string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(args[i]!);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(args[i])}`);
    const name = m[1]!;
    if (!(OPTIONS[cmd] as readonly string[]).includes(name)) throw new UsageError(`unknown option --${name}`);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
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
    const v = parse(cmd, rest);
    const token = v.token ?? envToken();
    const host = v.host ?? "127.0.0.1";
    if (cmd === "master") {
      const m = await runMaster({
        port: int("port", v.port, 7070, 0), host, store: v.store ?? "memory", token, processors: v.processors,
        slots: int("slots", v.slots, 64), maxBodyBytes: int("max-body-bytes", v["max-body-bytes"], 16 * 2 ** 20, 1024),
      });
      return await untilSignal(m.stop);
    }
    const stop = await runWorker({
      master: required("master", v.master), processors: required("processors", v.processors), slots: int("slots", v.slots, 8),
      port: int("port", v.port, 0, 0), host, id: v.id, token, heartbeatMs: int("heartbeat-ms", v["heartbeat-ms"], 1000),
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
