import postgres from "postgres";
import { dropPostgresSchema, openPostgresStore, redactUrl, type PostgresStore } from "../../adapters/node/postgres/index.ts";
import type { TaskStore } from "../../src/store/task-store.ts";
import type { StoreBackend } from "./backend.ts";

/** The server the bench uses: TASKMILL_PG_URL, else the local one every machine of this project runs. */
const URL = process.env.TASKMILL_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Why PostgreSQL cannot be measured here, or null; asked once, when the bench loads its backends. */
export const postgresSkip: string | null = await probe();
if (postgresSkip !== null) console.warn(`store bench: postgres SKIPPED: ${postgresSkip}`);

async function probe(): Promise<string | null> {
  const sql = postgres(URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return null;
  } catch (e) {
    return `${redactUrl(URL)} is unreachable (${e instanceof Error ? e.message : String(e)}); ` +
      "start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` or set TASKMILL_PG_URL";
  } finally {
    await sql.end({ timeout: 0 }).catch(() => undefined);
  }
}

/** The PostgreSQL store on a schema of its own per round, dropped afterwards. */
export const postgresBackend: StoreBackend = {
  name: "postgres",
  open: async () => {
    const schema = `taskmill_bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    return openPostgresStore(URL, { schema });
  },
  cleanup: async (store: TaskStore) => {
    const { schema } = store as PostgresStore;
    await store.close();
    await dropPostgresSchema(URL, schema);
  },
};
