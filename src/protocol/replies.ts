/**
 * Replies. A handler answers with `{ ok: true, ... }` or a refusal
 * `{ ok: false, code, error, field? }`; the HTTP transport maps codes to
 * status codes (bad_request 400, not_found 404, unregistered 409, rejected
 * 422, busy 429, too_large 413, forbidden 403, superseded 410 (B30), params_needed 428). Network failures are not
 * replies: the transport throws a TransportError; so is a reply that is not one
 * of these shapes (src/protocol/reply-check.ts).
 */
import { z } from "zod";
import { Key, RidingBatch, TaskColumns } from "./messages.ts";

/** Why a request was refused. */
export const RefusalCode = z.enum(["bad_request", "not_found", "unregistered", "rejected", "busy", "too_large", "not_running", "unauthorized", "forbidden", "superseded", "params_needed"]);
export type RefusalCode = z.infer<typeof RefusalCode>;

/** A refusal. */
export const Refusal = z.object({
  ok: z.literal(false),
  code: RefusalCode,
  error: z.string(),
  field: z.string().optional(),
  /** For busy: when to retry, in ms (at most an hour: a longer wait is a peer's mistake, and timers wrap past ~24 days). */
  retryAfterMs: z.number().min(0).max(3_600_000).optional(),
});
export type Refusal = z.infer<typeof Refusal>;

const ok = <T extends z.ZodRawShape>(shape: T) => z.union([z.object({ ok: z.literal(true), ...shape }), Refusal]);

const count = z.number().int().min(0);

/**
 * The fields of each `ok: true` reply: the strict reply types below and the
 * loose shapes every transport checks replies against on arrival
 * (src/protocol/reply-schemas.ts) are both built from these, so a field is
 * added in one place.
 */
export const REPLY_FIELDS = {
  /** start: how many tasks the worker accepted. */
  start: { accepted: count },
  /**
   * register: the incarnation the worker now has, its secret (every later message of the worker
   * carries it, H13) and the master's credential (every message of the master carries it, H16).
   */
  register: { incarnation: count, secret: Key, credential: Key },
  /**
   * report: how many reports were applied and how many refused (stale, duplicate...); W4: the
   * worker's next batches, riding on the reply, when the master has some for it.
   */
  report: { applied: count, refused: count, batches: z.array(RidingBatch).optional() },
  /** map: rows stored now (duplicates are not), and the back-pressure hint. */
  map: { stored: count, slowDown: z.boolean() },
  /** pull: the tasks handed to the worker, column-wise (W1); W5: how many of the reports it carried were applied and refused. */
  pull: { tasks: TaskColumns, applied: count.optional(), refused: count.optional() },
  /**
   * heartbeat: for the instances it named as adrift (B36), the master running each that this
   * master knows of — itself, or the owner the store names — by instance id.
   */
  heartbeat: { owners: z.record(z.string(), z.string().min(1).max(2048)).optional() },
  /** Every other message: a plain acknowledgement. */
  ack: {},
} as const;

/** start: how many tasks the worker accepted. */
export const StartReply = ok(REPLY_FIELDS.start);
/** register: the incarnation, its secret and the master's credential (H13, H16). */
export const RegisterReply = ok(REPLY_FIELDS.register);
/** report: how many reports were applied and how many refused. */
export const ReportReply = ok(REPLY_FIELDS.report);
/** map: rows stored now, and the back-pressure hint. */
export const MapReply = ok(REPLY_FIELDS.map);
/** pull: the tasks handed to the worker. */
export const PullReply = ok(REPLY_FIELDS.pull);
/** heartbeat: an acknowledgement, with the owners of the instances it named as adrift (B36). */
export const HeartbeatReply = ok(REPLY_FIELDS.heartbeat);
/** Every other message: a plain acknowledgement. */
export const AckReply = ok(REPLY_FIELDS.ack);

export type StartReply = z.infer<typeof StartReply>;
export type RegisterReply = z.infer<typeof RegisterReply>;
export type ReportReply = z.infer<typeof ReportReply>;
export type MapReply = z.infer<typeof MapReply>;
export type PullReply = z.infer<typeof PullReply>;
export type HeartbeatReply = z.infer<typeof HeartbeatReply>;
export type AckReply = z.infer<typeof AckReply>;
/** Any reply. */
export type Reply = StartReply | RegisterReply | ReportReply | MapReply | PullReply | HeartbeatReply | AckReply;

/** Builds a refusal. */
export function refuse(code: RefusalCode, error: string, field?: string): Refusal {
  return field === undefined ? { ok: false, code, error } : { ok: false, code, error, field };
}
