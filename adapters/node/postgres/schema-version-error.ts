/** The database schema was migrated by a newer taskmill than this one: opening it could corrupt it. */
export class SchemaVersionError extends Error {
  override readonly name = "SchemaVersionError";

  /**
   * @param url the URL, password already redacted
   * @param schema the PostgreSQL schema holding the store
   * @param found the schema's version
   * @param supported the newest version this taskmill knows
   */
  constructor(readonly url: string, readonly schema: string, readonly found: number, readonly supported: number) {
    super(
      `${url}: schema "${schema}" is at version ${found}, newer than this taskmill knows (${supported}) ` +
      `(Expected version ${supported} or older: upgrade taskmill, or open another schema)`,
    );
  }
}
