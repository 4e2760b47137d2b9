// The stores the `store` bench measures, in order. A backend is one file
// exporting a StoreBackend plus one line here.
import type { StoreBackend } from "./backend.ts";
import { memoryBackend } from "./memory.ts";
import { sqliteBackend } from "./sqlite.ts";
import { postgresBackend, postgresSkip } from "./postgres.ts";

export type { StoreBackend } from "./backend.ts";

/** Every backend of the store bench. */
export const STORE_BACKENDS: readonly StoreBackend[] = [
  memoryBackend,
  sqliteBackend,
  ...(postgresSkip === null ? [postgresBackend] : []),
];
