#!/usr/bin/env node
/**
 * The `taskmill` command on Node: master, worker and demo here; submit,
 * watch, status, tasks, kill and retry from adapters/cli (shared with Deno).
 * Exit codes (L3): 0 success, 1 a failed job or a refusal, 2 usage,
 * 3 master unreachable, 4 unknown id.
 */
import { readFileSync } from "node:fs";
import { MASTER_COMMAND, WORKER_COMMAND, DEMO_COMMAND } from "./cli-flags.ts";
import { packageVersion } from "./package-version.ts";
import { resolveLeaseSettings } from "../../src/master/lease-settings.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import { CLIENT_COMMANDS, isClientCommand, runClientCommand, tokenOf, type ClientRuntime } from "../cli/client-commands.ts";
import { UsageError } from "../cli/cli-errors.ts";
import { EXIT } from "../cli/exit-codes.ts";
import { masterUrl, masterUrls } from "../cli/master-url.ts";
import { given, int, one, parseArgs, required, usage, type CommandSpec, type ParsedArgs } from "../cli/flags.ts";

/** Every command, in the order `--help` lists them. */
const COMMANDS: Record<string, CommandSpec> = {
  master: MASTER_COMMAND, worker: WORKER_COMMAND, submit: CLIENT_COMMANDS.submit, watch: CLIENT_COMMANDS.watch,
  status: CLIENT_COMMANDS.status, tasks: CLIENT_COMMANDS.tasks, kill: CLIENT_COMMANDS.kill, retry: CLIENT_COMMANDS.retry, demo: DEMO_COMMAND,
};

const HELP = `taskmill — a distributed Map/MapReduce job master

Usage: taskmill <command> [options]
       taskmill --version

Commands:
${Object.values(COMMANDS).map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join("\n")}

Run 'taskmill <command> --help' for a command's options.
The master's URL may come from --master URL or TASKMILL_MASTER; the token from
--token-file PATH or TASKMILL_TOKEN (--token T works, but ps shows it).
Exit codes: 0 success, 1 a FAILED job or a refusal, 2 usage, 3 master unreachable, 4 unknown id.`;

/** What the shared client commands need from Node. */
const runtime: ClientRuntime = {
  env: (name) => process.env[name],
  readFile: (path) => readFileSync(path, "utf8"),
  io: { out: (l) => console.log(l), err: (l) => console.error(l), screen: process.stdout },
};

/** The lease settings of `--shared` from the flags; the lease flags without --shared are a mistake. */
function shared(p: ParsedArgs): boolean | { leaseMs?: number; renewMs?: number; takeoverMs?: number } {
  const flags = (["lease-ms", "renew-ms", "takeover-ms"] as const).filter((f) => given(p, f));
  if (!given(p, "shared")) {
    if (flags.length > 0) throw new UsageError(`--${flags[0]} needs --shared`);
    return false;
  }
  const o: { leaseMs?: number; renewMs?: number; takeoverMs?: number } = {};
  if (given(p, "lease-ms")) o.leaseMs = int(p, "lease-ms", 0, 0);
  if (given(p, "renew-ms")) o.renewMs = int(p, "renew-ms", 0, 0);
  if (given(p, "takeover-ms")) o.takeoverMs = int(p, "takeover-ms", 0, 0);
  try {
    resolveLeaseSettings(o);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    // The master names its setting (shared.renewMs); the user typed the flag (--renew-ms).
    const flag = `--${e.field.replace(/^shared\./, "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new UsageError(`${flag}: ${e.message.slice(e.message.indexOf(": ") + 2)}`);
  }
  return o;
}

/** Every URL of a repeated (or comma-separated) flag, each an http(s) URL (L2; a path kept: a proxy's). */
function urls(name: string, p: ParsedArgs): string[] {
  const list = (p.values[name] ?? []).flatMap((x) => x.split(",")).map((x) => x.trim()).filter((x) => x !== "");
  if (list.length === 0) throw new UsageError(`--${name} is required`);
  return [...new Set(list.map((u) => masterUrl(`--${name}`, u, { allowPath: true })))];
}

/** --allow-origin values: web origins, scheme://host[:port] exactly as a browser sends them. */
function origins(p: ParsedArgs): string[] {
  return (p.values["allow-origin"] ?? []).flatMap((x) => x.split(",")).map((x) => x.trim()).filter((x) => x !== "").map((u) => {
    let origin = "null";
    try { origin = new URL(u).origin; } catch { /* refused below */ }
    if (!/^https?:\/\//.test(u) || origin !== u.replace(/\/+$/, "")) throw new UsageError(`--allow-origin: Expected an origin like https://ops.example.com (no path), got ${JSON.stringify(u)}`);
    return origin;
  });
}

/** --allow-host values: bare host names (no scheme, path or port). */
function hostNames(p: ParsedArgs): string[] {
  return (p.values["allow-host"] ?? []).flatMap((x) => x.split(",")).map((x) => x.trim()).filter((x) => x !== "").map((h) => {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)$/.test(h)) throw new UsageError(`--allow-host: Expected a host name like jobs.example.com (no scheme, port or path), got ${JSON.stringify(h)}`);
    return h;
  });
}

/** --store: a SQLite store needs a file name (L15); the rest is checked when it opens. */
function store(p: ParsedArgs): string {
  const s = one(p, "store") ?? "sqlite:taskmill.db";
  if (/^sqlite:(\/\/)?$/.test(s)) throw new UsageError(`--store: expected sqlite:FILE with a file name, like sqlite:taskmill.db, got '${s}'`);
  return s;
}

/** Waits for SIGINT/SIGTERM, then runs `stop`. */
function untilSignal(stop: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    const on = () => { void stop().then(() => resolve(0)); };
    process.once("SIGINT", on);
    process.once("SIGTERM", on);
  });
}

/**
 * Runs master, worker or demo. Their modules (stores, server, processors'
 * loader) are loaded here, when one of them runs: a client command starts
 * without them, in half the time.
 */
async function runLocal(cmd: "master" | "worker" | "demo", p: ParsedArgs): Promise<number> {
  switch (cmd) {
    case "master": {
      const processors = one(p, "processors");
      const o = {
        port: int(p, "port", 7070, 0), host: one(p, "host") ?? "127.0.0.1", store: store(p), token: tokenOf(p, runtime), processors,
        storeThread: given(p, "store-thread"), slots: int(p, "slots", 64), maxBodyBytes: int(p, "max-body-bytes", 16 * 2 ** 20, 1024),
        shared: shared(p), advertise: given(p, "advertise") ? urls("advertise", p)[0] : undefined,
        allowOrigins: origins(p), allowHosts: hostNames(p), insecure: given(p, "insecure"), maxRunningInstances: int(p, "max-instances", 1000),
        maxEventStreams: int(p, "max-event-streams", 1000), maxConnections: int(p, "max-connections", 10_000),
      };
      const { runMaster } = await import("./commands/master.ts");
      const m = await runMaster(o);
      // L14: a master with no processor refuses every submit; say so once it runs, not at the first 400.
      if (processors === undefined) console.error("taskmill master: no --processors given, so this master can run no job (a submit must name a loaded processor); give --processors MODULE");
      return untilSignal(m.stop);
    }
    case "worker": {
      const { runWorker } = await import("./commands/worker.ts");
      const stop = await runWorker({
        masters: masterUrls(p.values.master, process.env.TASKMILL_MASTER, { allowPath: true }), processors: required(p, "processors"), slots: int(p, "slots", 8), port: int(p, "port", 0, 0),
        host: one(p, "host") ?? "127.0.0.1", id: one(p, "id"), token: tokenOf(p, runtime), heartbeatMs: int(p, "heartbeat-ms", 1000),
        insecure: given(p, "insecure"), allowHosts: hostNames(p),
      });
      return untilSignal(stop);
    }
    case "demo": {
      const { demo } = await import("./commands/demo.ts");
      return demo({
        n: int(p, "n", 1_000_000, 2), chunk: int(p, "chunk", 10), workers: int(p, "workers", 2), store: one(p, "store"), inProcess: given(p, "in-process"),
      });
    }
  }
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") { console.log(HELP); return EXIT.success; }
  if (cmd === "--version" || cmd === "-v" || cmd === "version") { console.log(packageVersion()); return EXIT.success; }
  const spec = COMMANDS[cmd];
  if (spec === undefined || !Object.hasOwn(COMMANDS, cmd)) { console.error(`taskmill: unknown command "${cmd}"\n\n${HELP}`); return EXIT.usage; }
  if (rest.includes("--help") || rest.includes("-h")) { console.log(usage("taskmill", spec)); return EXIT.success; }
  try {
    if (isClientCommand(cmd)) return await runClientCommand(cmd, rest, runtime);
    return await runLocal(cmd as "master" | "worker" | "demo", parseArgs(spec, rest));
  } catch (e) {
    if (e instanceof UsageError) { console.error(`taskmill ${cmd}: ${e.message}\n\n${usage("taskmill", spec)}`); return EXIT.usage; }
    throw e;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  console.error(`taskmill: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
