import type { z } from "zod";
import { refuse, type Refusal } from "./replies.ts";

/** Dotted path of a zod issue ("reports.3.status"), or "body" at the top. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join(".") : "body";
}

/** Parses `raw` with `schema`; a failure becomes a bad_request refusal naming the field. */
export function parseOrRefuse<T>(schema: z.ZodType<T>, raw: unknown): { ok: true; value: T } | Refusal {
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0]!;
  const field = issuePath(issue.path);
  return refuse("bad_request", `${field}: ${issue.message}`, field);
}
