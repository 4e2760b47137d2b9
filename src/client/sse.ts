/** Server-Sent Events, read from a fetch Response (Web streams only: any runtime and browsers). */

/** One event of a stream: its name (`message` when unnamed) and its data lines joined. */
export interface ServerEvent {
  event: string;
  data: string;
}

/** The events of a `text/event-stream` body, in order, until it ends; comments (`: keepalive`) are skipped. */
export async function* serverEvents(res: Response): AsyncGenerator<ServerEvent> {
  if (!res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let cr = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      // Lines may end in \r\n or \r (the spec allows both); one form keeps the split simple. A \r
      // ending a chunk waits for the next one: it may be half of a \r\n.
      let text = cr + value;
      cr = text.endsWith("\r") ? "\r" : "";
      if (cr) text = text.slice(0, -1);
      buf += text.replace(/\r\n?/g, "\n");
      let cut: number;
      while ((cut = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        let event = "message";
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (data.length) yield { event, data: data.join("\n") };
      }
    }
  } finally {
    // A consumer that stops early (break, return) must not leave the connection open.
    await reader.cancel().catch(() => undefined);
  }
}

/** Reads a Server-Sent Events stream: calls `on(event, data)` for each event until the stream ends. */
export async function readEvents(res: Response, on: (event: string, data: string) => void): Promise<void> {
  for await (const e of serverEvents(res)) on(e.event, e.data);
}
