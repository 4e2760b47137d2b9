/**
 * Opens a PostgresStore: checks the URL, connects, migrates the store's
 * schema and loads its statements. Anything that keeps the store from opening
 * throws a PostgresOpenError naming the URL (password hidden) and what was
 * expected; a schema from a newer taskmill throws SchemaVersionError.
 */
import postgres from "postgres";
import { ValidationError } from "../../../src/errors/validation-error.ts";
import { migrate } from "./migrate.ts";
import { PostgresOpenError } from "./postgres-open-error.ts";
import { PostgresStore } from "./postgres-store.ts";
import { redactUrl } from "./redact-url.ts";
import { SchemaVersionError } from "./schema-version-error.ts";
import { loadMigrations, loadStatements } from "./statements.ts";

/** Options of `openPostgresStore`. */
export interface PostgresStoreOptions {
  /**
   * PostgreSQL schema holding the store's tables; created when missing. Several
   * masters share a store by naming the same database and schema. A `schema`
   * query parameter of the URL says the same; this option wins over it.
   * @default "taskmill"
   */
  schema?: string;
  /** Connections in the pool: concurrent statements beyond it wait. @default 10 */
  max?: number;
  /** Seconds to wait for a connection before giving up. @default 10 */
  connectTimeout?: number;
}

/** Unquoted lowercase identifiers only: the schema name appears in DDL and in search_path. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const URL_SHAPE = "a URL like postgres://user:password@host:5432/database";

/** The `schema` option, checked. */
export function checkSchemaName(schema: unknown): string {
  if (typeof schema !== "string" || !SCHEMA_NAME.test(schema)) {
    throw new ValidationError("schema", "a lowercase SQL identifier: a-z or _, then a-z, 0-9 or _, at most 63 characters", schema);
  }
  return schema;
}

/** Why a connection failed, in words, and what would have worked. */
function describeFailure(e: unknown, timeout: number): { reason: string; expected: string } {
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  switch (code) {
    case "ECONNREFUSED": return { reason: "connection refused", expected: "a reachable PostgreSQL server" };
    case "ENOTFOUND":
    case "EAI_AGAIN": return { reason: "host not found", expected: "a host name that resolves" };
    case "CONNECT_TIMEOUT":
    case "ETIMEDOUT": return { reason: `no connection within ${timeout} s`, expected: "a reachable PostgreSQL server" };
    case "ECONNRESET":
    case "CONNECTION_CLOSED":
    case "CONNECTION_ENDED": return { reason: "connection closed by the server", expected: "a PostgreSQL server accepting connections" };
    case "3D000": return { reason: message, expected: "an existing database" };
    case "42501": return { reason: message, expected: "a user allowed to create the schema and its tables" };
    default:
      if (typeof code === "string" && code.startsWith("28")) {
        return { reason: `login refused: ${message}`, expected: "a user and password the server accepts" };
      }
      return { reason: message, expected: "a PostgreSQL server taskmill can open" };
  }
}

/**
 * Opens the PostgreSQL store at `url` (`postgres://` or `postgresql://`),
 * creating or migrating its schema first.
 * @example const store = await openPostgresStore("postgres://postgres@127.0.0.1:5432/test");
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  if (typeof url !== "string") throw new ValidationError("url", "a postgres:// or postgresql:// URL", url);
  const shown = redactUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PostgresOpenError(shown, "not a URL", URL_SHAPE);
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new PostgresOpenError(shown, `unsupported scheme "${parsed.protocol.slice(0, -1)}"`, URL_SHAPE);
  }
  // A `schema` query parameter picks the schema too (`--store postgres://.../db?schema=x`); it is
  // taskmill's, not a server setting, so the client never sees it.
  const fromUrl = parsed.searchParams.get("schema");
  if (fromUrl !== null) {
    parsed.searchParams.delete("schema");
    url = parsed.href;
  }
  const schema = checkSchemaName(options.schema ?? fromUrl ?? "taskmill");
  const max = options.max ?? 10;
  if (!Number.isInteger(max) || max < 1) throw new ValidationError("max", "an integer >= 1", max);
  const connectTimeout = options.connectTimeout ?? 10;
  if (typeof connectTimeout !== "number" || !(connectTimeout > 0)) {
    throw new ValidationError("connectTimeout", "a number of seconds > 0", connectTimeout);
  }

  const statements = loadStatements();
  const migrations = loadMigrations();
  const sql = postgres(url, {
    max,
    connect_timeout: connectTimeout,
    onnotice: () => {}, // "already exists, skipping" from the idempotent DDL
    connection: {
      search_path: schema,
      application_name: "taskmill",
      // Plans that do not hinge on table statistics, which lag far behind a
      // table filling at 100k rows/s: a batch joins row by row on the primary
      // key whatever the planner guesses, and no statement is planned twice.
      plan_cache_mode: "force_generic_plan",
    },
    // Seqs, tokens and times are safe integers: read int8 as a number, not a string.
    types: { int8: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } },
  });
  try {
    await migrate(sql, schema, statements, migrations, shown);
  } catch (e) {
    await sql.end({ timeout: 0 }).catch(() => undefined);
    if (e instanceof SchemaVersionError) throw e;
    const { reason, expected } = describeFailure(e, connectTimeout);
    throw new PostgresOpenError(shown, reason, expected, { cause: e });
  }
  return new PostgresStore(sql, statements, schema);
}
