import type { Message } from "./messages.ts";
import type { Reply } from "./replies.ts";
import { TransportError, type Handler } from "./transport.ts";
import { parseMessage } from "./validate.ts";
import { checkReply } from "./reply-check.ts";
import { errorMessage } from "../errors/error-message.ts";

/**
 * Hands a message to an endpoint in this process exactly as the wire would:
 * through JSON, validated on arrival, the reply through JSON again and checked
 * as any reply is (a malformed one is a server error, as over HTTP). A handler
 * that throws is a server error.
 */
export async function deliverLocally(to: string, role: "master" | "worker", handler: Handler<never>, msg: Message): Promise<Reply> {
  const parsed = parseMessage(role, JSON.parse(JSON.stringify(msg)));
  if (!parsed.ok) return parsed;
  let text: string | undefined;
  try {
    text = JSON.stringify(await (handler as Handler)(parsed.value));
  } catch (e) {
    throw new TransportError("server", to, errorMessage(e));
  }
  return checkReply(msg.type, text === undefined ? undefined : JSON.parse(text), to);
}
