/** A file could not be opened as a taskmill SQLite store: not SQLite, someone else's database, or a newer schema. */
export class SqliteOpenError extends Error {
  override readonly name = "SqliteOpenError";
  /** The database file, as given to the store. */
  readonly file: string;

  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot open ${file} as a taskmill SQLite store: ${reason}`, options);
    this.file = file;
  }
}
