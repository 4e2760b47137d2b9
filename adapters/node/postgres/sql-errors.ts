/** What the store reads from a failed statement: errors of the `postgres` client carry the server's fields. */

/** A PostgreSQL error (from the `postgres` client) with its SQLSTATE. */
export function sqlState(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The unique constraint a statement violated, if that is what failed it. */
export function violated(e: unknown): string | undefined {
  if (sqlState(e) !== "23505") return undefined;
  const name = (e as { constraint_name?: unknown }).constraint_name;
  return typeof name === "string" ? name : undefined;
}

/** The seq a `tasks_pkey` violation names ("Key (ikey, seq)=(3, 17) already exists."), if it can be read. */
export function seqOfKeyViolation(e: unknown): number | undefined {
  const detail = (e as { detail?: unknown }).detail;
  const m = typeof detail === "string" ? /=\(\d+, (\d+)\)/.exec(detail) : null;
  return m ? Number(m[1]) : undefined;
}
