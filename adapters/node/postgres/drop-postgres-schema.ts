/**
 * Drops a store's schema and everything in it: for tests and benchmarks that
 * make a schema per run. Never called by taskmill itself.
 */
import postgres from "postgres";
import { checkSchemaName } from "./open-postgres-store.ts";
import { loadStatements } from "./statements.ts";

/** Drops `schema` (if it exists) from the database at `url`. */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  checkSchemaName(schema);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql.unsafe(loadStatements()["drop-schema"], [schema]);
    await sql.unsafe(String(row!.ddl));
  } finally {
    await sql.end({ timeout: 5 });
  }
}
