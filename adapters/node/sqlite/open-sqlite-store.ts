import { SqliteStore, type SqliteStoreOptions } from "./sqlite-store.ts";

/**
 * Opens the SQLite store in `path`, creating the file when missing; relative
 * paths start at the working directory. Rejects with a SqliteOpenError naming
 * the file when it is not a taskmill store this version can use.
 * @default path "taskmill.db"
 * @example const store = await openSqliteStore("jobs.db");
 */
export async function openSqliteStore(path?: string, options?: SqliteStoreOptions): Promise<SqliteStore> {
  return new SqliteStore(path, options);
}
