/**
 * taskmill/node: a master and workers over HTTP in a Node process
 * (`startMaster`, `startWorker`), the SQLite and PostgreSQL stores, and the
 * pieces the `taskmill` command is made of.
 * @module
 */
export { startMaster, type StartMasterOptions, type MasterHandle } from "./start-master.ts";
export { startWorker, type StartWorkerOptions, type WorkerHandle } from "./start-worker.ts";
export { openStore, type OpenStoreOptions } from "./open-store.ts";
export { SqliteStore, openSqliteStore, ThreadedSqliteStore, SqliteOpenError, DEFAULT_SQLITE_FILE, type SqliteStoreOptions, type ThreadedSqliteOptions } from "./sqlite/index.ts";
export { PostgresStore, openPostgresStore, PostgresOpenError, SchemaVersionError, dropPostgresSchema, type PostgresStoreOptions } from "./postgres/index.ts";
export { nodeLoad } from "./load-probe.ts";
export { serveApp, freePort, type Served } from "./serve.ts";
export { loadProcessors } from "./load-processors.ts";
export { masterClient } from "./client.ts";
export { runMaster, type MasterCommandOptions, type RunningMaster } from "./commands/master.ts";
export { runWorker, type WorkerCommandOptions } from "./commands/worker.ts";
export { demo, type DemoOptions } from "./commands/demo.ts";
export { nodeHttpFetch } from "./http-fetch.ts";
