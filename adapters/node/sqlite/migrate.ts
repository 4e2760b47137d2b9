/**
 * Schema checks and numbered migrations of the SQLite store, run when a store
 * opens. A fresh file gets every migration; a taskmill file the ones it lacks,
 * in one transaction; anything else is refused with a SqliteOpenError naming
 * the file, before a single byte of it changes.
 */
import type BetterSqlite3 from "better-sqlite3";
import { readMigration, readStatement } from "./sql-files.ts";
import { SqliteOpenError } from "./sqlite-open-error.ts";

/** Migration files in order; file i (0-based) brings the schema to version i + 1. */
const MIGRATIONS: readonly string[] = ["0001_schema.sql", "0002_leases.sql", "0003_failures.sql", "0004_dispatches.sql"];

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The table whose presence marks a taskmill store (created by migration 1). */
const MARK = "taskmill_schema";

/** SQLite result codes meaning "these bytes are not a (sound) SQLite database". */
const NOT_SQLITE = new Set(["SQLITE_NOTADB", "SQLITE_CORRUPT"]);

/** Runs `fn`, turning SQLite's "not a database" errors into a SqliteOpenError naming `file`. */
export function guardOpen<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SqliteOpenError) throw e;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NOT_SQLITE.has(code)) {
      throw new SqliteOpenError(file, `it is not a SQLite database (${(e as Error).message})`, { cause: e });
    }
    throw new SqliteOpenError(file, (e as Error).message, { cause: e });
  }
}

/** The recorded version, or null for a file without tables; throws for a foreign database or a newer schema. */
function currentVersion(db: BetterSqlite3.Database, file: string): number | null {
  const tables = db.prepare(readStatement("list-tables")).pluck().all() as string[];
  if (tables.length === 0) return null;
  if (!tables.includes(MARK)) {
    const shown = tables.slice(0, 5).join(", ") + (tables.length > 5 ? `, … (${tables.length} tables)` : "");
    throw new SqliteOpenError(file, `it is a SQLite database of something else (tables: ${shown}; no ${MARK} table). Point taskmill at a new file instead.`);
  }
  const version = db.prepare(readStatement("schema-version")).pluck().get();
  if (typeof version !== "number" || !Number.isInteger(version) || version < 0) {
    throw new SqliteOpenError(file, `its ${MARK} table holds no valid version (got ${String(version)})`);
  }
  if (version > SCHEMA_VERSION) {
    throw new SqliteOpenError(file, `its schema version ${version} was written by a newer taskmill; this one knows versions up to ${SCHEMA_VERSION}. Upgrade taskmill to use this file.`);
  }
  return version;
}

/**
 * Checks the file's schema and brings it to SCHEMA_VERSION: reads first
 * (so a foreign file is never touched), then switches to WAL and applies the
 * missing migrations in one IMMEDIATE transaction that re-reads the version,
 * so two processes opening one fresh file migrate it once.
 */
export function migrate(db: BetterSqlite3.Database, file: string): void {
  guardOpen(file, () => {
    if (currentVersion(db, file) === SCHEMA_VERSION) return;
    db.pragma("journal_mode = WAL");
    db.transaction(() => {
      const from = currentVersion(db, file) ?? 0;
      for (let v = from; v < SCHEMA_VERSION; v++) {
        db.exec(readMigration(MIGRATIONS[v]!));
        db.prepare(readStatement("record-migration")).run(v + 1);
      }
    }).immediate();
  });
}
