/**
 * taskmill on Deno: `master` and `worker` (printing the same JSON ready
 * lines as the Node CLI), and the commands that talk to a master — submit,
 * watch, status, tasks, kill, retry — shared with Node (adapters/cli).
 * From the repository, offline (packages from node_modules, Deno KV
 * switched on by the config):
 *   deno run --config adapters/deno/deno.json --cached-only --allow-net --allow-read --allow-write \
 *     --allow-env=TASKMILL_TOKEN,TASKMILL_MASTER --allow-sys=loadavg,systemMemoryInfo,hostname \
 *     adapters/deno/cli.ts master --port 7070 --store kv:taskmill.kv --processors examples/primes.ts
 * Exit codes (L3): 0 success, 1 a failed job or a refusal, 2 usage,
 * 3 master unreachable, 4 unknown id.
 * @module
 */
import pkg from "../../package.json" with { type: "json" };
import { runMaster } from "./commands/master.ts";
import { runWorker } from "./commands/worker.ts";
import { MASTER_COMMAND, WORKER_COMMAND } from "./cli-flags.ts";
import { CLIENT_COMMANDS, isClientCommand, runClientCommand, tokenOf, type ClientRuntime } from "../cli/client-commands.ts";
import { UsageError } from "../cli/cli-errors.ts";
import { EXIT } from "../cli/exit-codes.ts";
import { masterUrls } from "../cli/master-url.ts";
import { given, int, one, parseArgs, required, usage, type CommandSpec, type ParsedArgs } from "../cli/flags.ts";

/** Every command, in the order `--help` lists them. */
const COMMANDS: Record<string, CommandSpec> = {
  master: MASTER_COMMAND, worker: WORKER_COMMAND, submit: CLIENT_COMMANDS.submit, watch: CLIENT_COMMANDS.watch,
  status: CLIENT_COMMANDS.status, tasks: CLIENT_COMMANDS.tasks, kill: CLIENT_COMMANDS.kill, retry: CLIENT_COMMANDS.retry,
};

const PROG = "cli.ts";

const HELP = `taskmill on Deno

Usage: ${PROG} <command> [options]
       ${PROG} --version

Commands:
${Object.values(COMMANDS).map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join("\n")}

Run '${PROG} <command> --help' for a command's options.
The master's URL may come from --master URL or TASKMILL_MASTER, the token from --token-file
PATH or TASKMILL_TOKEN (each with --allow-env of it); --token T works, but ps shows it.
Exit codes: 0 success, 1 a FAILED job or a refusal, 2 usage, 3 master unreachable, 4 unknown id.`;

/** An environment variable when access to it is granted (never prompting). */
function env(name: string): string | undefined {
  return Deno.permissions.querySync({ name: "env", variable: name }).state === "granted" ? Deno.env.get(name) : undefined;
}

/** Writes all of `text` to stdout (writeSync may write part of it). */
function write(text: string): void {
  const bytes = new TextEncoder().encode(text);
  for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
}

/** What the shared client commands need from Deno. */
const runtime: ClientRuntime = {
  env,
  readFile: (path) => Deno.readTextFileSync(path),
  io: { out: (l) => console.log(l), err: (l) => console.error(l), screen: { write, isTTY: Deno.stdout.isTerminal() } },
};

/** Every value of a repeated (or comma-separated) flag. */
function list(p: ParsedArgs, name: string): string[] {
  return (p.values[name] ?? []).flatMap((x) => x.split(",")).map((x) => x.trim()).filter((x) => x !== "");
}

/** --allow-origin values: origins exactly as a browser sends them (H2). */
function origins(p: ParsedArgs): string[] {
  return list(p, "allow-origin").map((u) => {
    let origin: string;
    try { origin = new URL(u).origin; } catch { origin = "null"; }
    if (!/^https?:\/\//.test(u) || origin !== u.replace(/\/+$/, "")) throw new UsageError(`--allow-origin: Expected an origin like https://ops.example.com (no path), got ${JSON.stringify(u)}`);
    return origin;
  });
}

/** --allow-host values: bare host names (H4). */
function hostNames(p: ParsedArgs): string[] {
  const hosts = list(p, "allow-host");
  for (const h of hosts) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)$/.test(h)) throw new UsageError(`--allow-host: Expected a host name like jobs.example.com (no scheme, port or path), got ${JSON.stringify(h)}`);
  }
  return hosts;
}

/** The one master a Deno worker joins: --master or TASKMILL_MASTER, checked (L2, L11). */
function oneMaster(p: ParsedArgs): string {
  const urls = masterUrls(p.values.master, env("TASKMILL_MASTER"), { allowPath: true });
  if (urls.length > 1) throw new UsageError(`--master: expected one master (a Deno worker joins one), got ${urls.length}: ${urls.join(", ")}`);
  return urls[0]!;
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

/** Runs master or worker. */
async function runLocal(cmd: "master" | "worker", p: ParsedArgs): Promise<number> {
  const host = one(p, "host") ?? "127.0.0.1";
  const insecure = given(p, "insecure");
  const allowHosts = hostNames(p);
  if (cmd === "master") {
    const processors = one(p, "processors");
    const o = {
      port: int(p, "port", 7070, 0), host, store: one(p, "store") ?? "memory", token: tokenOf(p, runtime), processors,
      slots: int(p, "slots", 64), maxBodyBytes: int(p, "max-body-bytes", 16 * 2 ** 20, 1024),
      allowOrigins: origins(p), allowHosts, insecure,
      maxRunningInstances: int(p, "max-instances", 1000), maxEventStreams: int(p, "max-event-streams", 1000),
    };
    const m = await runMaster(o);
    // L14: a master with no processor refuses every submit; say so once it runs, not at the first 400.
    if (processors === undefined) console.error("taskmill master: no --processors given, so this master can run no job (a submit must name a loaded processor); give --processors MODULE");
    return await untilSignal(m.stop);
  }
  const stop = await runWorker({
    master: oneMaster(p), processors: required(p, "processors"), slots: int(p, "slots", 8),
    port: int(p, "port", 0, 0), host, id: one(p, "id"), token: tokenOf(p, runtime), heartbeatMs: int(p, "heartbeat-ms", 1000),
    allowHosts, insecure,
  });
  return await untilSignal(stop);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") { console.log(HELP); return EXIT.success; }
  if (cmd === "--version" || cmd === "-v" || cmd === "version") { console.log(pkg.version); return EXIT.success; }
  const spec = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (spec === undefined) { console.error(`taskmill: unknown command "${cmd}"\n\n${HELP}`); return EXIT.usage; }
  if (rest.includes("--help") || rest.includes("-h")) { console.log(usage(PROG, spec)); return EXIT.success; }
  try {
    if (isClientCommand(cmd)) return await runClientCommand(cmd, rest, runtime);
    return await runLocal(cmd as "master" | "worker", parseArgs(spec, rest));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`taskmill ${cmd}: ${e.message}\n\n${usage(PROG, spec)}`);
      return EXIT.usage;
    }
    throw e;
  }
}

main(Deno.args).then((code) => Deno.exit(code), (e: unknown) => {
  console.error(`taskmill: ${e instanceof Error ? e.message : String(e)}`);
  Deno.exit(1);
});
