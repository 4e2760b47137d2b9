/**
 * Brings a store's schema to the newest migration this taskmill knows, in one
 * transaction under an advisory lock, so several masters opening the same
 * database at once apply each migration exactly once. A schema migrated by a
 * newer taskmill is refused.
 */
import type { Sql } from "postgres";
import { SchemaVersionError } from "./schema-version-error.ts";
import type { Migration, Statements } from "./statements.ts";

/** What `migrate` did. */
export interface MigrateOutcome {
  /** The schema's version before. */
  from: number;
  /** The schema's version now. */
  to: number;
}

/**
 * Creates the schema when missing and applies the migrations it lacks. A
 * schema already at the newest version is only read.
 * @param redactedUrl names the database in a SchemaVersionError
 */
export async function migrate(
  sql: Sql, schema: string, statements: Statements, migrations: readonly Migration[], redactedUrl: string,
): Promise<MigrateOutcome> {
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  // The usual case, an up-to-date schema: a read, no lock, no DDL.
  const [table] = await sql.unsafe(statements["migrations-table-exists"], [schema]);
  if (table!.present === true) {
    const [row] = await sql.unsafe(statements["schema-version"]);
    const version = Number(row!.version);
    if (version > latest) throw new SchemaVersionError(redactedUrl, schema, version, latest);
    if (version === latest) return { from: version, to: version };
  }
  return sql.begin(async (tx) => {
    await tx.unsafe(statements["lock-migrations"], [schema]);
    const [create] = await tx.unsafe(statements["create-schema"], [schema]);
    await tx.unsafe(String(create!.ddl));
    await tx.unsafe(statements["create-migrations-table"]);
    const [row] = await tx.unsafe(statements["schema-version"]);
    const from = Number(row!.version);
    if (from > latest) throw new SchemaVersionError(redactedUrl, schema, from, latest);
    for (const m of migrations) {
      if (m.version <= from) continue;
      await tx.unsafe(m.text); // may hold several statements: simple protocol
      await tx.unsafe(statements["record-migration"], [m.version, m.name]);
    }
    return { from, to: Math.max(from, latest) };
  });
}
