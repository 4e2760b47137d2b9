import type { Message } from "./messages.ts";
import type { Reply } from "./replies.ts";
import { TransportError, type Handler } from "./transport.ts";
import { parseMessage } from "./validate.ts";

/**
 * Hands a message to an endpoint in this process exactly as the wire would:
 * through JSON, validated on arrival, the reply through JSON again. A handler
 * that throws is a server error.
 */
export async function deliverLocally(to: string, role: "master" | "worker", handler: Handler<never>, msg: Message): Promise<Reply> {
  const parsed = parseMessage(role, JSON.parse(JSON.stringify(msg)));
  if (!parsed.ok) return parsed;
  let reply: Reply;
  try {
    reply = await (handler as Handler)(parsed.value);
  } catch (e) {
    throw new TransportError("server", to, e instanceof Error ? e.message : String(e));
  }
  return JSON.parse(JSON.stringify(reply)) as Reply;
}
