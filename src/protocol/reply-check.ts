/**
 * The one check of every reply a master or a worker reads, whichever
 * transport carried it (HTTP, in-process, MessagePort): a reply that is not
 * the shape its message's type promises becomes a TransportError "server"
 * naming the field — never a reply the caller trusts and crashes on (a pull
 * answered `{ ok: true }` used to throw inside the worker's pull loop). A bad
 * reply is handled like a 5xx: the caller retries or fails the dispatch over
 * (B9), as it does for any reply it did not get.
 *
 * The hot replies (start, report, map, pull) first go through a hand-written
 * check of a few property reads, zod only when it does not pass: zod's walk
 * of a reply costs what zod's walk of a request did (src/protocol/fast-check.ts).
 */
import type { Message } from "./messages.ts";
import { Refusal } from "./replies.ts";
import { OK_REPLY } from "./reply-schemas.ts";
import { TransportError, type ReplyOf } from "./transport.ts";
import { every, isCount, isObj, isRidingBatch, isTaskColumns } from "./fast-check.ts";
import { issuePath } from "./validate.ts";

type Obj = Record<string, unknown>;

/** Hand-written checks of the hot replies' `ok: true` shape; false means "ask zod". */
const FAST: Partial<Record<Message["type"], (v: Obj) => boolean>> = {
  start: (v) => isCount(v.accepted),
  report: (v) => isCount(v.applied) && isCount(v.refused) && (v.batches === undefined || every(v.batches, isRidingBatch)),
  map: (v) => isCount(v.stored) && typeof v.slowDown === "boolean",
  pull: (v) => isTaskColumns(v.tasks) && (v.applied === undefined || isCount(v.applied)) && (v.refused === undefined || isCount(v.refused)),
};

/**
 * Returns `raw` as the reply to a message of `type`, or throws a
 * TransportError "server" from `from` naming the first bad field.
 */
export function checkReply<T extends Message["type"]>(type: T, raw: unknown, from: string): ReplyOf[T] {
  if (isObj(raw) && raw.ok === true) {
    const fast = FAST[type];
    if (fast !== undefined && fast(raw)) return raw as ReplyOf[T];
  }
  const schema = !isObj(raw) ? null : raw.ok === true ? OK_REPLY[type] : raw.ok === false ? Refusal : null;
  if (schema === null) {
    throw new TransportError("server", from, `malformed reply to ${type}: ${isObj(raw) ? "ok: expected true or false" : "body: expected an object"}`);
  }
  const r = schema.safeParse(raw);
  if (r.success) return r.data as ReplyOf[T];
  const issue = r.error.issues[0]!;
  throw new TransportError("server", from, `malformed reply to ${type}: ${issuePath(issue.path)}: ${issue.message}`);
}
