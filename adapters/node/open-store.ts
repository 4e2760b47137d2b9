/**
 * Opens a TaskStore from a URL, as `taskmill master --store URL` takes it:
 * "memory", "sqlite:FILE" ("sqlite:" alone is ./taskmill.db;
 * "sqlite:///abs/file.db" is read as /abs/file.db), "postgres://..." or
 * "postgresql://..." (schema "taskmill" unless `?schema=NAME`).
 */
import { MemoryStore } from "../../src/store/memory-store.ts";
import type { TaskStore } from "../../src/store/task-store.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import { openSqliteStore } from "./sqlite/open-sqlite-store.ts";
import { ThreadedSqliteStore } from "./sqlite/threaded-store.ts";
import { openPostgresStore } from "./postgres/open-postgres-store.ts";
import { redactUrl } from "./postgres/redact-url.ts";

export { redactUrl };

/** How `openStore` opens what the URL names. */
export interface OpenStoreOptions {
  /**
   * Runs a SQLite store on a worker thread of its own (ThreadedSqliteStore),
   * so SQLite's work overlaps the caller's: what a master wants. @default false
   */
  sqliteThread?: boolean;
  /** How long SQLite waits for another process's lock before "database is locked", in ms (B34). @default 5000 */
  busyTimeoutMs?: number;
}

/** What a store URL may be, for error messages. */
const EXPECTED = `"memory", "sqlite:FILE" or "postgres://user@host:port/db"`;

/**
 * Opens the store a URL names: "memory", "sqlite:FILE" (creating the file
 * when missing), "sqlite:" for ./taskmill.db, "postgres://" or "postgresql://"
 * (a server it cannot reach throws PostgresOpenError, password hidden).
 * Anything else is refused with a ValidationError naming the URL (password
 * hidden) and what was expected.
 * @example const store = await openStore("sqlite:/var/lib/taskmill/jobs.db");
 */
export async function openStore(url: string, o: OpenStoreOptions = {}): Promise<TaskStore> {
  if (typeof url !== "string") throw new ValidationError("store", EXPECTED, url);
  if (url === "memory") return new MemoryStore();
  if (url.startsWith("sqlite:")) {
    let path = url.slice("sqlite:".length);
    if (path.startsWith("//")) path = path.slice(2);
    const file = path === "" ? undefined : path;
    const busy = { busyTimeoutMs: o.busyTimeoutMs };
    return o.sqliteThread ? ThreadedSqliteStore.open(file, busy) : openSqliteStore(file, busy);
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return openPostgresStore(url);
  throw new ValidationError("store", EXPECTED, redactUrl(url));
}
