// H10: the Node server's own limits — header and request deadlines, idle keep-alive, a
// connection cap — so sockets that never send a request cannot hold a master down, while
// an event stream or a slow answer is never cut.
import { describe, it, expect, afterEach } from "vitest";
import { connect, type Socket } from "node:net";
import { Hono } from "hono";
import { startHttpCluster } from "./cluster.ts";
import { Gate, gated } from "../master/processors.ts";
import { serveApp, freePort, serverLimits, type Served } from "../../adapters/node/serve.ts";

const closers: Array<() => Promise<void>> = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of closers.splice(0)) await c();
});

/**
 * A socket that opens a request and never finishes its headers; resolves once connected.
 * `closed` resolves with what the server sent before hanging up: Node answers a missed
 * header deadline 408, and closes a connection past the cap without a word.
 */
async function idle(port: number): Promise<{ socket: Socket; closed: Promise<string> }> {
  const socket = connect(port, "127.0.0.1");
  sockets.push(socket);
  let got = "";
  socket.on("error", () => undefined);
  socket.on("data", (d: Buffer) => { got += d.toString("latin1"); });
  const closed = new Promise<string>((r) => socket.once("close", () => r(got)));
  await new Promise<void>((r, j) => { socket.once("connect", () => r()); socket.once("error", j); });
  socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  return { socket, closed };
}

async function served(o: Parameters<typeof serveApp>[3]): Promise<Served> {
  const app = new Hono().get("/health", (c) => c.json({ ok: true }));
  const s = await serveApp(app, await freePort(), "127.0.0.1", o);
  closers.push(s.close);
  return s;
}

describe("H10 server timeouts and a connection cap", () => {
  it("H10: sockets that never finish their headers are closed after headersTimeoutMs, and the API answers while they are open", async () => {
    const s = await served({ headersTimeoutMs: 300, requestTimeoutMs: 300 });
    const idles = await Promise.all(Array.from({ length: 40 }, () => idle(s.port)));
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    for (const answer of await Promise.all(idles.map((i) => i.closed))) expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });

  it("H10: past maxConnections a new connection is closed at once; once the idle ones are cut by headersTimeoutMs the API answers again", async () => {
    const s = await served({ headersTimeoutMs: 1000, requestTimeoutMs: 1000, maxConnections: 5 });
    const idles = await Promise.all(Array.from({ length: 5 }, () => idle(s.port)));
    const extra = await idle(s.port);
    // Closed by the cap (no answer), not by the deadline (408).
    expect(await extra.closed).toBe("");
    for (const answer of await Promise.all(idles.map((i) => i.closed))) expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect((await fetch(`${s.url}/health`, { headers: { connection: "close" } })).status).toBe(200);
  });

  it("H10: an event stream outlives requestTimeoutMs: only receiving the request is timed, not the answer", async () => {
    const gate = new Gate();
    const c = await startHttpCluster({ workers: 0, processors: { job: gated(gate) }, serve: { headersTimeoutMs: 200, requestTimeoutMs: 200 } });
    closers.push(async () => { gate.open(); await c.stop(); });
    const id = await c.master.submit({ processor: "job", params: { n: 1 } });
    const res = await fetch(`${c.base}/api/instances/${id}/events`);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = "";
    const until = async (s: string) => {
      while (!text.includes(s)) {
        const { done, value } = await reader.read();
        if (done) break;
        text += dec.decode(value, { stream: true });
      }
      return text;
    };
    await until("event: progress");
    // A socket opened after the stream and cut by the deadline: the stream's own request
    // deadline, had it one, has passed too.
    const late = await idle(Number(new URL(c.base).port));
    expect(await late.closed).toMatch(/^HTTP\/1\.1 408 /);
    gate.open();
    expect(await until("event: done")).toContain("event: done");
  });

  it("H10: the limits are validated and default to 10 s headers, 60 s request, 5 s keep-alive, 10,000 connections", () => {
    expect(serverLimits()).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5000, maxConnections: 10_000 });
    expect(() => serverLimits({ maxConnections: 0 })).toThrow("maxConnections: Expected an integer >= 1, got 0");
    expect(() => serverLimits({ headersTimeoutMs: 70_000 })).toThrow("headersTimeoutMs: Expected at most requestTimeoutMs (60000), got 70000");
  });
});
