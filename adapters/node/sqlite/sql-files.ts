// The SQL of the SQLite store lives in `.sql` files next to this module, one
// statement each with a header comment; they are read once, when a store
// opens. A statement over a variable number of rows marks the part to repeat
// with /*repeat*/ … /*end*/ (copies joined by a space) or
// /*repeat-list*/ … /*end*/ (copies joined by ", "); the file as written is
// the one-row statement, so it stays plain SQL.
// Statement files are named verb first, after the TaskStore method they serve (claim-init.sql, claim-init-mark.sql), as PostgreSQL's are.
import { readFileSync } from "node:fs";

const REPEAT = /\/\*repeat(-list)?\*\/(.*?)\/\*end\*\//gs;

/** Reads `./sql/NAME.sql`. */
export function readStatement(name: string): string {
  return readFileSync(new URL(`./sql/${name}.sql`, import.meta.url), "utf8");
}

/** Reads `./migrations/FILE`. */
export function readMigration(file: string): string {
  return readFileSync(new URL(`./migrations/${file}`, import.meta.url), "utf8");
}

/** The statement with each repeated part written `times` times. */
export function repeatParts(sql: string, times: number): string {
  return sql.replace(REPEAT, (_, list: string | undefined, part: string) =>
    Array.from({ length: times }, () => part.trim()).join(list ? ", " : " "));
}
