/**
 * A Server-Sent Events reader over a fetch body (text/event-stream): fields
 * `event` and `data` (several data lines join with "\n"), a blank line ends
 * an event; comments and other fields are skipped. Unlike EventSource, an
 * event cut off by the end of the stream is still delivered (a final `done`).
 */

/** One event. */
export interface SseEvent {
  /** "message" when the event names none. */
  event: string;
  data: string;
}

/** Reads `body` to its end, calling `on` for each complete event. */
export async function readSse(body: ReadableStream<Uint8Array>, on: (e: SseEvent) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "", data: string[] = [];
  const line = (l: string) => {
    if (l === "") {
      if (data.length > 0) on({ event: event || "message", data: data.join("\n") });
      event = "";
      data = [];
      return;
    }
    if (l.startsWith(":")) return;
    const colon = l.indexOf(":");
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? "" : l.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let at: number;
    while ((at = buffer.search(/\r\n|\r|\n/)) >= 0) {
      if (at === buffer.length - 1 && buffer[at] === "\r") break; // maybe the first half of \r\n
      const sep = buffer.startsWith("\r\n", at) ? 2 : 1;
      line(buffer.slice(0, at));
      buffer = buffer.slice(at + sep);
    }
  }
  if (buffer !== "") line(buffer);
  line("");
}
