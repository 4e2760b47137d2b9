// H11: the request body cap — judged by content-length before a byte is read,
// counted while reading when the body has no length.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { bodyCap } from "../../src/http/body-cap.ts";

function app(max: number) {
  const seen: string[] = [];
  const a = new Hono()
    .use("*", bodyCap(max, (c) => c.json({ error: `request body larger than ${max} bytes` }, 413)))
    .post("/", async (c) => { seen.push(await c.req.text()); return c.json({ ok: true }); })
    .get("/", (c) => c.json({ ok: true }));
  return { a, seen };
}

/** A body with no length: streamed in chunks, as a chunked request is. */
function chunked(parts: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < parts.length) c.enqueue(enc.encode(parts[i++]!));
      else c.close();
    },
  });
}

describe("H11: the request body cap", () => {
  it("H11: a body whose content-length is over the cap gets 413 and is never read", async () => {
    const { a, seen } = app(10);
    let read = false;
    // highWaterMark 0: the stream is pulled only when someone reads it.
    const body = new ReadableStream<Uint8Array>({ pull(c) { read = true; c.enqueue(new Uint8Array(20)); c.close(); } }, { highWaterMark: 0 });
    const res = await a.request("/", { method: "POST", body, headers: { "content-length": "20" }, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "request body larger than 10 bytes" });
    expect(read).toBe(false);
    expect(seen).toEqual([]);
  });

  it("H11: a body within its announced length reaches the route whole", async () => {
    const { a, seen } = app(10);
    const res = await a.request("/", { method: "POST", body: "0123456789", headers: { "content-length": "10" } });
    expect(res.status).toBe(200);
    expect(seen).toEqual(["0123456789"]);
  });

  it("H11: a body without a length is counted while read and cut off past the cap", async () => {
    const { a, seen } = app(10);
    const over = await a.request("/", { method: "POST", body: chunked(["01234", "56789", "X"]), duplex: "half" } as RequestInit);
    expect(over.status).toBe(413);
    const within = await a.request("/", { method: "POST", body: chunked(["01234", "56789"]), duplex: "half" } as RequestInit);
    expect(within.status).toBe(200);
    expect(seen).toEqual(["0123456789"]);
  });

  it("H11: requests without a body pass untouched", async () => {
    const { a } = app(0);
    expect((await a.request("/")).status).toBe(200);
  });
});
