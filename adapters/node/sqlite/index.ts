/** The embedded SQLite TaskStore (better-sqlite3): Node only. */
export { SqliteStore, DEFAULT_BUSY_TIMEOUT_MS, type SqliteStoreOptions } from "./sqlite-store.ts";
export { openSqliteStore } from "./open-sqlite-store.ts";
export { DEFAULT_SQLITE_FILE, sqliteFilePath } from "./sqlite-file.ts";
export { SqliteOpenError } from "./sqlite-open-error.ts";
export { SCHEMA_VERSION } from "./migrate.ts";
export { ThreadedSqliteStore, type ThreadedSqliteOptions } from "./threaded-store.ts";
