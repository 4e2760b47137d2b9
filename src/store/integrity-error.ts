import { errorMessage } from "../errors/error-message.ts";

/** Error codes that say the store's data is damaged, not that one request went wrong (B35). */
const INTEGRITY_CODES = new Set([
  "SQLITE_CORRUPT", "SQLITE_NOTADB",
  // PostgreSQL's data_corrupted and index_corrupted (class XX).
  "XX001", "XX002",
]);

/** Whether `e` is a store error whose code says the data itself is damaged (SQLite corrupt or not a database, PostgreSQL XX001/XX002). */
export function isIntegrityFailure(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code !== "string") return false;
  // SQLite's extended codes carry a suffix: SQLITE_CORRUPT_VTAB, SQLITE_CORRUPT_INDEX, …
  return INTEGRITY_CODES.has(code) || code.startsWith("SQLITE_CORRUPT_");
}

/** The store's data is damaged: the master stops rather than answer errors for every request (B35). */
export class StoreIntegrityError extends Error {
  override readonly name = "StoreIntegrityError";
  /** @param store what the store is: its file, or its kind */
  constructor(readonly store: string, cause: unknown) {
    const code = (cause as { code?: unknown }).code;
    super(`store integrity error in ${store}: ${errorMessage(cause)}${typeof code === "string" ? ` (${code})` : ""}; ` +
      `the master stopped. Check the store (SQLite: PRAGMA integrity_check) and restore it from a backup.`, { cause });
  }
}
