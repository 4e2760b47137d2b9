import { hc } from "hono/client";
import type { MasterApi } from "../../src/http/master-api.ts";

/** The typed client of a master's user API (hono/client). */
export function masterClient(url: string, token?: string) {
  return hc<MasterApi>(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
}

/** Reads a Server-Sent Events stream: calls `on(event, data)` for each event until the stream ends. */
export async function readEvents(res: Response, on: (event: string, data: string) => void): Promise<void> {
  if (!res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let cut: number;
    while ((cut = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length) on(event, data.join("\n"));
    }
  }
}
