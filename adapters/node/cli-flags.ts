/**
 * The flags of the Node `taskmill master`, `worker` and `demo` commands, one
 * table each: the parser reads them and the usage is written from them, so
 * `--help` lists every flag a command accepts (L1).
 */
import type { CommandSpec } from "../cli/flags.ts";
import { TOKEN_FLAGS } from "../cli/client-commands.ts";

/** `taskmill master`. */
export const MASTER_COMMAND = {
  name: "master", summary: "run a master: the HTTP API, the worker protocol, its own worker",
  flags: [
    { name: "port", arg: "P", help: "port to listen on (default 7070; 0 picks a free one)" },
    { name: "host", arg: "H", help: "address to listen on (default 127.0.0.1); without a token only a\nloopback address, unless --insecure" },
    { name: "store", arg: "URL", help: "sqlite:FILE (default sqlite:taskmill.db), postgres://user@host:port/db, or memory" },
    { name: "store-thread", help: "run the SQLite store on a thread of its own (worth it with cores to spare)" },
    { name: "processors", arg: "MODULE", help: "ES module whose named exports are processors; jobs may only name these\n(without it the master can run no job)" },
    { name: "slots", arg: "N", help: "tasks the master's own worker runs at once (default 64)" },
    { name: "max-body-bytes", arg: "N", help: "largest request body accepted (default 16777216); larger → 413" },
    ...TOKEN_FLAGS.map((f) => f.name === "token-file" ? { ...f, help: "require \"Authorization: Bearer <the file's token>\" on every route\n(or TASKMILL_TOKEN)" } : f),
    { name: "insecure", help: "listen on a non-loopback --host without a token (anyone who reaches it\ncan run code here: only on a network you trust)" },
    { name: "allow-origin", arg: "URL", repeat: true, help: "a web origin besides the master's own whose pages may change state\nthrough the API (repeat it for more); other sites' requests get 403" },
    { name: "allow-host", arg: "NAME", repeat: true, help: "a host name this master is reached by besides --host, --advertise and\nloopback (repeat it for more), e.g. behind a proxy; others get 421" },
    { name: "max-instances", arg: "N", help: "instances running at once at most (default 1000); a submit past it gets 429" },
    { name: "max-event-streams", arg: "N", help: "event streams open at once at most (default 1000); more get 429" },
    { name: "max-connections", arg: "N", help: "connections open at once at most (default 10000); keep it below ulimit -n" },
    { name: "shared", group: "Several masters on one store (PostgreSQL):", help: "hold instances through leases; take over those whose owner died" },
    { name: "lease-ms", arg: "MS", help: "how long an instance stays this master's without renewal (default 10000)" },
    { name: "renew-ms", arg: "MS", help: "how often leases are renewed, below --lease-ms (default a third of it)" },
    { name: "takeover-ms", arg: "MS", help: "how often to look for instances whose lease ran out (default --renew-ms)" },
    { name: "advertise", arg: "URL", help: "the URL workers and other masters reach this master at, and its\nowner id in the store (default http://HOST:PORT)" },
  ],
} satisfies CommandSpec;

/** `taskmill worker`. */
export const WORKER_COMMAND = {
  name: "worker", summary: "run a worker that joins a master",
  about: "While a master cannot be reached, each failed attempt is logged (a master-unreachable\nline with the next attempt's time, at most one every 10 s per master).",
  flags: [
    { name: "master", arg: "URL", repeat: true, required: true, help: "a master to join, e.g. http://127.0.0.1:7070 (or set TASKMILL_MASTER); repeat\nit (or give a comma-separated list) to serve several masters sharing one store" },
    { name: "processors", arg: "MODULE", required: true, help: "ES module whose named exports are processors" },
    { name: "slots", arg: "N", help: "tasks run at once per job: caps any job's consumerSize (default 8)" },
    { name: "port", arg: "P", help: "port of this worker's endpoint (default 0: a free one)" },
    { name: "host", arg: "H", help: "address to listen on (default 127.0.0.1); without a token only a\nloopback address, unless --insecure" },
    { name: "id", arg: "ID", help: "worker id (default host:port)" },
    { name: "heartbeat-ms", arg: "MS", help: "heartbeat interval (default 1000); keep it below the jobs' livenessTimeoutMs" },
    ...TOKEN_FLAGS,
    { name: "insecure", help: "listen on a non-loopback --host without a token" },
    { name: "allow-host", arg: "NAME", repeat: true, help: "a host name masters reach this worker by besides --host and loopback" },
  ],
} satisfies CommandSpec;

/** `taskmill demo`. */
export const DEMO_COMMAND = {
  name: "demo", summary: "count the primes below one million on a local cluster (what npm start runs)",
  about: `Starts a master on the embedded SQLite store (a temporary file) and W worker
processes (default 2), counts the primes below N (default 1,000,000) in N/C CHUNK
tasks (C default 10) over two map levels with live progress, checks the answer
against a sieve, prints tasks/s, and stops every process it started.
Exit code 0 only when the job succeeds with the right answer.`,
  flags: [
    { name: "n", arg: "N", help: "count the primes below N (default 1000000)" },
    { name: "chunk", arg: "C", help: "numbers per CHUNK task (default 10)" },
    { name: "workers", arg: "W", help: "worker processes (default 2)" },
    { name: "store", arg: "URL", help: "the master's store (default a temporary SQLite file)" },
    { name: "in-process", help: "run master and workers in this one process instead" },
  ],
} satisfies CommandSpec;
