/**
 * The services some tests need (PostgreSQL, Redis), per the project's rule:
 * start one that is down, fail under `CI=true` if it still cannot be reached,
 * and elsewhere hand back a reason to skip, which the test prints loudly.
 *
 * @example
 * const pg = await ensurePostgres();
 * if ("skip" in pg) console.warn(pg.skip);
 * describe.skipIf("skip" in pg)("PostgresStore", () => { ... });
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { connect } from "node:net";
import postgres from "postgres";

/** A reachable service, or why there is none. */
export type Service = { url: string } | { skip: string };

/** Tried in order unless TASKMILL_PG_URL names one: trust auth, database `test`. */
const PG_URLS = ["postgres://postgres@127.0.0.1:5432/test", "postgres://root@127.0.0.1:5432/test"];
const REDIS_URL = "redis://127.0.0.1:6379";
/** How long a started service gets to come up. */
const START_WAIT_MS = 20_000;

let pgOnce: Promise<Service> | undefined;
let redisOnce: Promise<Service> | undefined;

/** A PostgreSQL URL that answers, starting the local cluster if needed (once per process). */
export function ensurePostgres(): Promise<Service> {
  return pgOnce ??= ensure("PostgreSQL", findPostgres, startPostgres);
}

/** A Redis URL that answers PING, starting a local redis-server if needed (once per process). */
export function ensureRedis(): Promise<Service> {
  return redisOnce ??= ensure("Redis", findRedis, startRedis);
}

async function ensure(what: string, find: () => Promise<string | string[]>, start: () => Promise<string>): Promise<Service> {
  let found = await find();
  if (typeof found === "string") return { url: found };
  let started: string;
  try {
    started = await start();
  } catch (e) {
    started = `could not start it: ${e instanceof Error ? e.message : String(e)}`;
  }
  const deadline = Date.now() + START_WAIT_MS;
  while (typeof found !== "string" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    found = await find();
  }
  if (typeof found === "string") return { url: found };
  const why = `${what} is unreachable (${found.join("; ")}); ${started}`;
  if (process.env.CI === "true") throw new Error(`CI=true: ${why}`);
  return { skip: `${what} tests SKIPPED: ${why}` };
}

/** The first PostgreSQL URL that runs `select 1`, or why each failed. */
async function findPostgres(): Promise<string | string[]> {
  const urls = process.env.TASKMILL_PG_URL ? [process.env.TASKMILL_PG_URL] : PG_URLS;
  const errors: string[] = [];
  for (const url of urls) {
    const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
    try {
      await sql`select 1`;
      return url;
    } catch (e) {
      errors.push(`${url.replace(/:[^:@/]*@/, ":***@")}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      await sql.end({ timeout: 0 }).catch(() => undefined);
    }
  }
  return errors;
}

function startPostgres(): Promise<string> {
  let versions: string[];
  try {
    versions = readdirSync("/etc/postgresql");
  } catch {
    return Promise.reject(new Error("no /etc/postgresql: PostgreSQL is not installed here"));
  }
  return run("pg_ctlcluster", ["--skip-systemctl-redirect", versions.sort().at(-1)!, "main", "start"]);
}

/** REDIS_URL when it answers PING, else why not. */
function findRedis(): Promise<string | string[]> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: 6379 });
    const done = (result: string | string[]) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(2000, () => done([`${REDIS_URL}: no answer within 2 s`]));
    socket.on("error", (e) => done([`${REDIS_URL}: ${e.message}`]));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (d) => done(d.toString().startsWith("+PONG") ? REDIS_URL : [`${REDIS_URL}: answered ${JSON.stringify(d.toString())}`]));
  });
}

function startRedis(): Promise<string> {
  return run("redis-server", [
    "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "", "--appendonly", "no",
    "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
  ]);
}

/** Runs a command; resolves with what was run, rejects with its error output. */
function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(" ")}: ${(stderr.trim() || stdout.trim() || error.message).split("\n")[0]}`));
      else resolve(`started it with ${command} ${args.join(" ")}`);
    });
  });
}
