/**
 * The accepted shape of each reply type, checked on arrival by every
 * transport (src/protocol/reply-check.ts). Loose objects: a field a newer peer
 * adds is kept and passed on, not a reason to refuse the reply; a field the
 * reader uses must be there with its type. Refusals are checked by `Refusal`
 * (src/protocol/replies.ts): an unknown code is a malformed reply.
 */
import { z } from "zod";
import { Key, TaskSpec, type Message } from "./messages.ts";

const count = z.number().int().min(0);
const ok = <T extends z.ZodRawShape>(shape: T) => z.looseObject({ ok: z.literal(true), ...shape });

/** The `ok: true` shape of the reply to each message type. */
export const OK_REPLY: { readonly [T in Message["type"]]: z.ZodType } = {
  register: ok({ incarnation: count, secret: Key, credential: Key }),
  heartbeat: ok({}),
  report: ok({ applied: count, refused: count }),
  map: ok({ stored: count, slowDown: z.boolean() }),
  pull: ok({ tasks: z.array(TaskSpec) }),
  start: ok({ accepted: count }),
  notifyPull: ok({}),
  killTask: ok({}),
  killInstance: ok({}),
  destroyPool: ok({}),
};
