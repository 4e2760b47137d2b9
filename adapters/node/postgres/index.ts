/** taskmill's PostgreSQL store for Node: `openPostgresStore(url)`. */
export { openPostgresStore, type PostgresStoreOptions } from "./open-postgres-store.ts";
export { PostgresStore } from "./postgres-store.ts";
export { PostgresOpenError } from "./postgres-open-error.ts";
export { SchemaVersionError } from "./schema-version-error.ts";
export { dropPostgresSchema } from "./drop-postgres-schema.ts";
export { redactUrl } from "./redact-url.ts";
