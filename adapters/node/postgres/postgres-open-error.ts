/**
 * A PostgreSQL store could not be opened: the URL does not parse, the server
 * cannot be reached, refuses the login or has no such database. The message
 * names the URL with its password replaced by `***`.
 * @example new PostgresOpenError("postgres://u:***@127.0.0.1:5433/test", "connection refused", "a reachable PostgreSQL server").message
 *   // 'postgres://u:***@127.0.0.1:5433/test: connection refused (Expected a reachable PostgreSQL server)'
 */
export class PostgresOpenError extends Error {
  override readonly name = "PostgresOpenError";

  /**
   * @param url the URL, password already redacted
   * @param reason what went wrong
   * @param expected what a working setup looks like
   */
  constructor(readonly url: string, readonly reason: string, readonly expected: string, options?: { cause?: unknown }) {
    super(`${url}: ${reason} (Expected ${expected})`, options);
  }
}
