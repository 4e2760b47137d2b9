#!/usr/bin/env node
/**
 * The `taskmill` command: master, worker, submit, status, tasks, retry, demo.
 */
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { runMaster } from "./commands/master.ts";
import { runWorker } from "./commands/worker.ts";
import { submit, status } from "./commands/submit.ts";
import { tasks } from "./commands/tasks.ts";
import { retry } from "./commands/retry.ts";
import { demo } from "./commands/demo.ts";
import { resolveLeaseSettings } from "../../src/master/lease-settings.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import { resolveToken } from "../../src/http/token-source.ts";

const HELP = `taskmill — a distributed Map/MapReduce job master

Usage: taskmill <command> [options]

Commands:
  master   run a master: the HTTP API, the worker protocol, its own worker
  worker   run a worker that joins a master
  submit   submit an instance of a processor (and wait for it)
  status   show one instance or the newest ones (with their failed tasks' first errors)
  tasks    list an instance's tasks, page by page, with their errors
  retry    run a FAILED instance again over its failed tasks (and wait for it)
  demo     count the primes below one million on a local cluster (what npm start runs)

Run 'taskmill <command> --help' for a command's options.
The token may come from --token-file PATH or TASKMILL_TOKEN (--token T works, but ps shows it).`;

const COMMANDS = {
  master: {
    help: `Usage: taskmill master [--port P] [--host H] [--store URL] [--token-file PATH] [--processors MODULE]
                      [--shared [--lease-ms MS] [--renew-ms MS] [--takeover-ms MS]] [--advertise URL]

  --port P            port to listen on (default 7070; 0 picks a free one)
  --host H            address to listen on (default 127.0.0.1); without a token only a
                      loopback address, unless --insecure
  --store URL         sqlite:FILE (default sqlite:taskmill.db), postgres://user@host:port/db, or memory
  --store-thread      run the SQLite store on a thread of its own (worth it with cores to spare)
  --token-file PATH   require "Authorization: Bearer <the file's token>" on every route
                      (or TASKMILL_TOKEN; --token T also works, but ps shows it)
  --insecure          listen on a non-loopback --host without a token (anyone who reaches it
                      can run code here: only on a network you trust)
  --processors MODULE ES module whose named exports are processors; jobs may only name these
  --slots N           tasks the master's own worker runs at once (default 64)
  --max-body-bytes N  largest request body accepted (default 16777216); larger → 413
  --allow-origin URL  a web origin besides the master's own whose pages may change state
                      through the API (repeat it for more); other sites' requests get 403
  --allow-host NAME   a host name this master is reached by besides --host, --advertise and
                      loopback (repeat it for more), e.g. behind a proxy; others get 421
  --max-instances N   instances running at once at most (default 1000); a submit past it gets 429
  --max-event-streams N  event streams open at once at most (default 1000); more get 429
  --max-connections N connections open at once at most (default 10000); keep it below ulimit -n

Several masters on one store (PostgreSQL):
  --shared            hold instances through leases; take over those whose owner died
  --lease-ms MS       how long an instance stays this master's without renewal (default 10000)
  --renew-ms MS       how often leases are renewed, below --lease-ms (default a third of it)
  --takeover-ms MS    how often to look for instances whose lease ran out (default --renew-ms)
  --advertise URL     the URL workers and other masters reach this master at, and its
                      owner id in the store (default http://HOST:PORT)`,
    options: {
      port: { type: "string" }, host: { type: "string" }, store: { type: "string" }, "store-thread": { type: "boolean" }, token: { type: "string" }, processors: { type: "string" },
      slots: { type: "string" }, "max-body-bytes": { type: "string" }, shared: { type: "boolean" }, "lease-ms": { type: "string" },
      "renew-ms": { type: "string" }, "takeover-ms": { type: "string" }, advertise: { type: "string" },
      "allow-origin": { type: "string", multiple: true }, "allow-host": { type: "string", multiple: true }, insecure: { type: "boolean" },
      "token-file": { type: "string" }, "max-instances": { type: "string" }, "max-event-streams": { type: "string" }, "max-connections": { type: "string" },
    },
  },
  worker: {
    help: `Usage: taskmill worker --master URL [--master URL ...] --processors MODULE [--slots N] [--port P] [--host H] [--id ID] [--token-file PATH]

  --master URL        a master to join, e.g. http://127.0.0.1:7070; repeat it (or give a
                      comma-separated list) to serve several masters sharing one store
  --processors MODULE ES module whose named exports are processors
  --slots N           tasks run at once per job: caps any job's consumerSize (default 8)
  --port P            port of this worker's endpoint (default 0: a free one)
  --host H            address to listen on (default 127.0.0.1); without a token only a
                      loopback address, unless --insecure
  --id ID             worker id (default host:port)
  --heartbeat-ms MS   heartbeat interval (default 1000); keep it below the jobs' livenessTimeoutMs
  --token-file PATH   read the bearer token from this file (or set TASKMILL_TOKEN; --token T
                      also works, but every user of the machine sees it in ps)
  --insecure          listen on a non-loopback --host without a token
  --allow-host NAME   a host name masters reach this worker by besides --host and loopback`,
    options: {
      master: { type: "string", multiple: true }, processors: { type: "string" }, slots: { type: "string" }, port: { type: "string" }, host: { type: "string" },
      id: { type: "string" }, "heartbeat-ms": { type: "string" }, token: { type: "string" }, "token-file": { type: "string" }, insecure: { type: "boolean" },
      "allow-host": { type: "string", multiple: true },
    },
  },
  submit: {
    help: `Usage: taskmill submit --master URL --processor NAME [--settings JSON] [--params JSON] [--wait] [--token-file PATH]

  --master URL        the master, e.g. http://127.0.0.1:7070
  --processor NAME    a processor the master has loaded
  --settings JSON     job settings, e.g. '{"pageSize":500,"dispatchMode":"pull"}'
  --params JSON       the instance's params
  --wait              show live progress per task name, then the status and result,
                      and the failed tasks' count and first errors when some failed;
                      the exit code is 0 only on SUCCESS
  --token-file PATH   read the bearer token from this file (or set TASKMILL_TOKEN; --token T
                      also works, but every user of the machine sees it in ps)`,
    options: { master: { type: "string" }, processor: { type: "string" }, settings: { type: "string" }, params: { type: "string" }, wait: { type: "boolean" }, token: { type: "string" }, "token-file": { type: "string" } },
  },
  status: {
    help: `Usage: taskmill status [ID] --master URL [--token-file PATH]

  Without ID, lists the newest instances, each with the count and first errors of its
  tasks that failed for good; with ID, prints that instance as JSON (its progress,
  failedCount, errors: task id, name, attempt, worker, message).
  --token-file PATH   read the bearer token from this file (or set TASKMILL_TOKEN; --token T
                      also works, but every user of the machine sees it in ps)`,
    options: { master: { type: "string" }, token: { type: "string" }, "token-file": { type: "string" } },
  },
  tasks: {
    help: `Usage: taskmill tasks --master URL --instance ID [--status S] [--name N] [--limit N] [--cursor C | --all] [--token-file PATH]

  Prints an instance's tasks in task order, one per line: id, status, name, attempt,
  worker, failed runs and the error of its last failed run. A running instance shows
  its live state. Failed tasks are kept after the end (job setting retainTasks).
  --master URL        the master, e.g. http://127.0.0.1:7070
  --instance ID       the instance
  --status S          only tasks in this status: INIT, PULLED, RUNNING, SUCCESS or FAILED
  --name N            only tasks of this name
  --limit N           tasks per page, 1 to 1000 (default 100)
  --cursor C          the page after the one that printed "more: --cursor C" (on stderr)
  --all               every page, not just one
  --token-file PATH   read the bearer token from this file (or set TASKMILL_TOKEN; --token T
                      also works, but every user of the machine sees it in ps)`,
    options: {
      master: { type: "string" }, instance: { type: "string" }, status: { type: "string" }, name: { type: "string" }, limit: { type: "string" },
      cursor: { type: "string" }, all: { type: "boolean" }, token: { type: "string" }, "token-file": { type: "string" },
    },
  },
  retry: {
    help: `Usage: taskmill retry --master URL --instance ID [--wait] [--token-file PATH]

  Runs a FAILED instance again over its failed tasks: they get a fresh retry budget,
  its succeeded tasks are kept, reduce reads every result at the end, and the instance
  runs on this master under a new serialNum. Refused (exit 1, with the reason) when it
  is RUNNING, ended SUCCESS, is recurring, or its tasks are no longer kept.
  --master URL        the master, e.g. http://127.0.0.1:7070
  --instance ID       the FAILED instance
  --wait              follow it as submit --wait does; the exit code is 0 only on SUCCESS
  --token-file PATH   read the bearer token from this file (or set TASKMILL_TOKEN; --token T
                      also works, but every user of the machine sees it in ps)`,
    options: { master: { type: "string" }, instance: { type: "string" }, wait: { type: "boolean" }, token: { type: "string" }, "token-file": { type: "string" } },
  },
  demo: {
    help: `Usage: taskmill demo [--n N] [--chunk C] [--workers W] [--store URL] [--in-process]

Starts a master on the embedded SQLite store (a temporary file) and W worker
processes (default 2), counts the primes below N (default 1,000,000) in N/C CHUNK
tasks (C default 10) over two map levels with live progress, checks the answer
against a sieve, prints tasks/s, and stops every process it started.
  --in-process        run master and workers in this one process instead
Exit code 0 only when the job succeeds with the right answer.`,
    options: { n: { type: "string" }, chunk: { type: "string" }, workers: { type: "string" }, store: { type: "string" }, "in-process": { type: "boolean" } },
  },
} as const;

type Command = keyof typeof COMMANDS;

/** A CLI mistake: printed with the command's help, exit code 2. */
class UsageError extends Error {}

function int(name: string, v: string | undefined, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: Expected an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

function json(name: string, v: string | undefined): unknown {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch (e) {
    throw new UsageError(`--${name}: Expected JSON, got ${JSON.stringify(v)} (${(e as Error).message})`);
  }
}

/** The lease settings of `--shared` from the flags; the lease flags without --shared are a mistake. */
function shared(v: Record<string, unknown>): boolean | { leaseMs?: number; renewMs?: number; takeoverMs?: number } {
  const flags = (["lease-ms", "renew-ms", "takeover-ms"] as const).filter((f) => v[f] !== undefined);
  if (v.shared !== true) {
    if (flags.length > 0) throw new UsageError(`--${flags[0]} needs --shared`);
    return false;
  }
  const o: { leaseMs?: number; renewMs?: number; takeoverMs?: number } = {};
  if (v["lease-ms"] !== undefined) o.leaseMs = int("lease-ms", v["lease-ms"] as string, 0);
  if (v["renew-ms"] !== undefined) o.renewMs = int("renew-ms", v["renew-ms"] as string, 0);
  if (v["takeover-ms"] !== undefined) o.takeoverMs = int("takeover-ms", v["takeover-ms"] as string, 0);
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

/** Every URL of a repeated (or comma-separated) flag. */
function urls(name: string, v: unknown): string[] {
  const list = (Array.isArray(v) ? v as string[] : v === undefined ? [] : [String(v)]).flatMap((x) => x.split(",")).map((x) => x.trim()).filter((x) => x !== "");
  if (list.length === 0) throw new UsageError(`--${name} is required`);
  for (const u of list) {
    if (!/^https?:\/\/[^/]+/.test(u)) throw new UsageError(`--${name}: Expected an http:// or https:// URL, got ${JSON.stringify(u)}`);
  }
  return [...new Set(list)];
}

/** --allow-origin values: web origins, scheme://host[:port] exactly as a browser sends them. */
function origins(v: string[] | undefined): string[] {
  if (v === undefined) return [];
  return urls("allow-origin", v).map((u) => {
    const origin = new URL(u).origin;
    if (origin !== u.replace(/\/+$/, "")) throw new UsageError(`--allow-origin: Expected an origin like https://ops.example.com (no path), got ${JSON.stringify(u)}`);
    return origin;
  });
}

/** --allow-host values: bare host names (no scheme, path or port). */
function hostNames(v: string[] | undefined): string[] {
  return (v ?? []).flatMap((x) => x.split(",")).map((x) => x.trim()).filter((x) => x !== "").map((h) => {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)$/.test(h)) throw new UsageError(`--allow-host: Expected a host name like jobs.example.com (no scheme, port or path), got ${JSON.stringify(h)}`);
    return h;
  });
}

/** The token of --token-file, --token or TASKMILL_TOKEN (H6); a bad source is a usage mistake naming its flag. */
function token(v: Record<string, unknown>): string | undefined {
  try {
    const t = resolveToken({
      flag: v.token as string | undefined, file: v["token-file"] as string | undefined, env: process.env.TASKMILL_TOKEN,
      readFile: (path) => readFileSync(path, "utf8"),
    });
    if (t.warning) console.error(t.warning);
    return t.token;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new UsageError(`--${e.message}`);
  }
}

function required(name: string, v: string | undefined): string {
  if (v === undefined || v === "") throw new UsageError(`--${name} is required`);
  return v;
}

/** Waits for SIGINT/SIGTERM, then runs `stop`. */
function untilSignal(stop: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    const on = () => { void stop().then(() => resolve(0)); };
    process.once("SIGINT", on);
    process.once("SIGTERM", on);
  });
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") { console.log(HELP); return 0; }
  if (!(cmd in COMMANDS)) { console.error(`taskmill: unknown command "${cmd}"\n\n${HELP}`); return 2; }
  const spec = COMMANDS[cmd as Command];
  if (rest.includes("--help") || rest.includes("-h")) { console.log(spec.help); return 0; }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: spec.options, allowPositionals: cmd === "status", strict: true }) as typeof parsed;
  } catch (e) {
    console.error(`taskmill ${cmd}: ${(e as Error).message}\n\n${spec.help}`);
    return 2;
  }
  const v = parsed.values as Record<string, string | undefined> & Record<string, boolean | undefined>;
  try {
    switch (cmd as Command) {
      case "master": {
        const m = await runMaster({
          port: int("port", v.port as string | undefined, 7070, 0), host: (v.host as string | undefined) ?? "127.0.0.1",
          store: (v.store as string | undefined) ?? "sqlite:taskmill.db", token: token(v), processors: v.processors as string | undefined,
          storeThread: v["store-thread"] === true, slots: int("slots", v.slots as string | undefined, 64),
          maxBodyBytes: int("max-body-bytes", v["max-body-bytes"] as string | undefined, 16 * 2 ** 20, 1024),
          shared: shared(v), advertise: v.advertise === undefined ? undefined : urls("advertise", v.advertise)[0],
          allowOrigins: origins(v["allow-origin"] as string[] | undefined), allowHosts: hostNames(v["allow-host"] as string[] | undefined),
          insecure: v.insecure === true, maxRunningInstances: int("max-instances", v["max-instances"] as string | undefined, 1000),
          maxEventStreams: int("max-event-streams", v["max-event-streams"] as string | undefined, 1000),
          maxConnections: int("max-connections", v["max-connections"] as string | undefined, 10_000),
        });
        return untilSignal(m.stop);
      }
      case "worker": {
        const stop = await runWorker({
          masters: urls("master", parsed.values.master), processors: required("processors", v.processors as string | undefined),
          slots: int("slots", v.slots as string | undefined, 8), port: int("port", v.port as string | undefined, 0, 0),
          host: (v.host as string | undefined) ?? "127.0.0.1", id: v.id as string | undefined, token: token(v),
          heartbeatMs: int("heartbeat-ms", v["heartbeat-ms"] as string | undefined, 1000),
          insecure: v.insecure === true, allowHosts: hostNames(v["allow-host"] as string[] | undefined),
        });
        return untilSignal(stop);
      }
      case "submit":
        return await submit({
          master: required("master", v.master as string | undefined), processor: required("processor", v.processor as string | undefined),
          settings: json("settings", v.settings as string | undefined) as Record<string, unknown> | undefined,
          params: json("params", v.params as string | undefined), wait: v.wait === true, token: token(v),
        });
      case "status":
        return await status({ master: required("master", v.master as string | undefined), id: parsed.positionals[0], token: token(v) });
      case "tasks":
        if (v.all === true && v.cursor !== undefined) throw new UsageError("--all and --cursor do not go together");
        return await tasks({
          master: required("master", v.master as string | undefined), instance: required("instance", v.instance as string | undefined),
          status: v.status as string | undefined, name: v.name as string | undefined,
          limit: v.limit === undefined ? undefined : int("limit", v.limit as string, 100), cursor: v.cursor as string | undefined,
          all: v.all === true, token: token(v),
        });
      case "retry":
        return await retry({
          master: required("master", v.master as string | undefined), instance: required("instance", v.instance as string | undefined),
          wait: v.wait === true, token: token(v),
        });
      case "demo":
        return await demo({
          n: int("n", v.n as string | undefined, 1_000_000, 2), chunk: int("chunk", v.chunk as string | undefined, 10),
          workers: int("workers", v.workers as string | undefined, 2), store: v.store as string | undefined, inProcess: v["in-process"] === true,
        });
    }
  } catch (e) {
    if (e instanceof UsageError) { console.error(`taskmill ${cmd}: ${e.message}\n\n${spec.help}`); return 2; }
    throw e;
  }
  return 2;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  console.error(`taskmill: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
