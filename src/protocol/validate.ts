import type { z } from "zod";
import { refuse, type Refusal } from "./replies.ts";
import { MasterMessage, WorkerMessage, type Message } from "./messages.ts";
import { fastCheck } from "./fast-check.ts";

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

/**
 * Validates a message arriving at an endpoint of `role`: the hot messages
 * through their hand-written check, anything it does not pass through zod.
 */
export function parseMessage(role: "master" | "worker", raw: unknown): { ok: true; value: Message } | Refusal {
  const type = (raw as { type?: unknown } | null)?.type;
  const hot = role === "master" ? type === "report" || type === "map" || type === "pull" : type === "start";
  if (hot && fastCheck(type as Message["type"], raw)) return { ok: true, value: raw as Message };
  return parseOrRefuse<Message>(role === "master" ? MasterMessage : WorkerMessage, raw);
}
