/**
 * The store's SQL, read from the `.sql` files next to this module (one
 * statement per file, each with a header comment) and from the numbered
 * migrations in `migrations/`. Read once per process; `npm run build` copies
 * the files beside the built module.
 */
import { readFileSync, readdirSync } from "node:fs";

// Statement files are named verb first, after the TaskStore method they serve (claim-init.sql), as SQLite's are.
/** Every statement file in `sql/`, without its extension. */
const STATEMENT_NAMES = [
  "lock-migrations", "create-schema", "drop-schema", "migrations-table-exists", "create-migrations-table", "schema-version",
  "record-migration",
  "create-instance", "acquire-instance", "renew-leases", "expired-instances", "get-instance", "list-instances", "update-instance",
  "insert-tasks", "update-statuses", "update-statuses-failures", "fail-unfinished", "reset-for-resume-failover", "reset-for-resume-fail", "retry-failed", "claim-init",
  "count-by-status", "max-seq", "get-task", "list-tasks", "results-page", "clear-tasks", "sweep-retained",
  "record-dispatch", "list-dispatches", "replace-dispatches",
] as const;

/** The name of one statement file. */
export type StatementName = (typeof STATEMENT_NAMES)[number];

/** Statement texts by name. */
export type Statements = Readonly<Record<StatementName, string>>;

/** One numbered migration: `migrations/0001_schema.sql` is version 1. */
export interface Migration {
  readonly version: number;
  /** File name without `.sql`. */
  readonly name: string;
  readonly text: string;
}

const MIGRATION_FILE = /^(\d{4})_[a-z0-9_]+\.sql$/;

let statements: Statements | undefined;
let migrations: readonly Migration[] | undefined;

/** Every statement, read on first use. */
export function loadStatements(): Statements {
  if (statements === undefined) {
    const out = {} as Record<StatementName, string>;
    for (const name of STATEMENT_NAMES) out[name] = readFileSync(new URL(`./sql/${name}.sql`, import.meta.url), "utf8");
    statements = Object.freeze(out);
  }
  return statements;
}

/** The migrations in version order, read on first use; numbers must run 1, 2, 3... without a gap. */
export function loadMigrations(): readonly Migration[] {
  if (migrations === undefined) {
    const dir = new URL("./migrations/", import.meta.url);
    const files = readdirSync(dir).filter((f) => MIGRATION_FILE.test(f)).sort();
    const list = files.map((file, i): Migration => {
      const version = Number(file.slice(0, 4));
      if (version !== i + 1) throw new Error(`migrations: ${file} should be numbered ${String(i + 1).padStart(4, "0")}`);
      return { version, name: file.slice(0, -4), text: readFileSync(new URL(file, dir), "utf8") };
    });
    migrations = Object.freeze(list);
  }
  return migrations;
}
