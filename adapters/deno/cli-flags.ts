/**
 * The flags of the Deno `master` and `worker` commands, one table each: the
 * parser reads them and the usage is written from them (L1).
 */
import type { CommandSpec } from "../cli/flags.ts";
import { TOKEN_FLAGS } from "../cli/client-commands.ts";

/** `cli.ts master` on Deno. */
export const MASTER_COMMAND = {
  name: "master", summary: "run a master: the HTTP API, the worker protocol, its own worker",
  flags: [
    { name: "port", arg: "P", help: "port to listen on (default 7070; 0 picks a free one)" },
    { name: "host", arg: "H", help: "address to listen on (default 127.0.0.1); without a token only a\nloopback address, unless --insecure (then with a loud warning)" },
    { name: "store", arg: "S", help: "memory (default) or kv:PATH: Deno KV in a file (--unstable-kv, on in\nadapters/deno/deno.json; \"kv:\" alone is Deno's default database)" },
    { name: "processors", arg: "MODULE", help: "ES module (.ts or .js) whose named exports are processors\n(without it the master can run no job)" },
    { name: "slots", arg: "N", help: "tasks the master's own worker runs at once (default 64)" },
    { name: "max-body-bytes", arg: "N", help: "largest request body accepted (default 16777216); larger → 413" },
    ...TOKEN_FLAGS.map((f) => f.name === "token-file" ? { ...f, help: "bearer token on every route, read from this file (needs --allow-read\nof it), or TASKMILL_TOKEN with --allow-env" } : f),
    { name: "insecure", help: "listen on a non-loopback --host without a token" },
    { name: "allow-origin", arg: "URL", repeat: true, help: "a web origin besides the master's own whose pages may change state" },
    { name: "allow-host", arg: "NAME", repeat: true, help: "a host name requests may carry besides --host and loopback; others get 421" },
    { name: "max-instances", arg: "N", help: "instances running at once at most (default 1000); a submit past it gets 429" },
    { name: "max-event-streams", arg: "N", help: "event streams open at once at most (default 1000); more get 429" },
  ],
} satisfies CommandSpec;

/** `cli.ts worker` on Deno. */
export const WORKER_COMMAND = {
  name: "worker", summary: "run a worker that joins a master",
  about: "While the master cannot be reached, each failed attempt is logged (a master-unreachable\nline with the next attempt's time, at most one every 10 s).",
  flags: [
    { name: "master", arg: "URL", required: true, help: "the master to join, e.g. http://127.0.0.1:7070 (or set TASKMILL_MASTER)" },
    { name: "processors", arg: "MODULE", required: true, help: "ES module (.ts or .js) whose named exports are processors" },
    { name: "slots", arg: "N", help: "tasks run at once (default 8)" },
    { name: "port", arg: "P", help: "port of this worker's endpoint (default 0: a free one)" },
    { name: "host", arg: "H", help: "address to listen on (default 127.0.0.1); without a token only a\nloopback address, unless --insecure" },
    { name: "id", arg: "ID", help: "worker id (default hostname:port)" },
    { name: "heartbeat-ms", arg: "MS", help: "heartbeat interval (default 1000)" },
    ...TOKEN_FLAGS,
    { name: "insecure", help: "listen on a non-loopback --host without a token" },
    { name: "allow-host", arg: "NAME", repeat: true, help: "a host name the master reaches this worker by besides --host and loopback" },
  ],
} satisfies CommandSpec;
