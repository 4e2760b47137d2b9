import { resolve } from "node:path";

/** The file a SQLite store opens when given no path, in the working directory. */
export const DEFAULT_SQLITE_FILE = "taskmill.db";

/** The absolute path a SQLite store opened with `path` uses (":memory:" stays as it is). @default "./taskmill.db" */
export function sqliteFilePath(path: string = DEFAULT_SQLITE_FILE): string {
  return path === ":memory:" ? path : resolve(path);
}
