/**
 * The accepted shape of each reply type, checked on arrival by every
 * transport (src/protocol/reply-check.ts). Loose objects: a field a newer peer
 * adds is kept and passed on, not a reason to refuse the reply; a field the
 * reader uses must be there with its type. Refusals are checked by `Refusal`
 * (src/protocol/replies.ts): an unknown code is a malformed reply.
 */
import { z } from "zod";
import type { Message } from "./messages.ts";
import { REPLY_FIELDS } from "./replies.ts";

const ok = <T extends z.ZodRawShape>(shape: T) => z.looseObject({ ok: z.literal(true), ...shape });

/** The `ok: true` shape of the reply to each message type (fields from REPLY_FIELDS). */
export const OK_REPLY: { readonly [T in Message["type"]]: z.ZodType } = {
  register: ok(REPLY_FIELDS.register),
  heartbeat: ok(REPLY_FIELDS.heartbeat),
  report: ok(REPLY_FIELDS.report),
  map: ok(REPLY_FIELDS.map),
  pull: ok(REPLY_FIELDS.pull),
  start: ok(REPLY_FIELDS.start),
  notifyPull: ok(REPLY_FIELDS.ack),
  killTask: ok(REPLY_FIELDS.ack),
  killInstance: ok(REPLY_FIELDS.ack),
  destroyPool: ok(REPLY_FIELDS.ack),
};
