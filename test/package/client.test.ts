// taskmill/client against real masters (startMaster, port 0): its errors, and wait across a master restart.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, ClientError, serverEvents } from "../../src/client/index.ts";
import { startMaster, type MasterHandle } from "../../adapters/node/start-master.ts";
import { defineMap, defineMapReduce } from "../../src/index.ts";

const quiet = { warn: () => undefined };
const open: MasterHandle[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.close();
});

const echo = defineMap<{ x: number }>({ async process(ctx) { return { ok: true, result: ctx.params.x }; } });

/** The error a promise rejects with (the test fails when it resolves). */
async function rejection(p: Promise<unknown>): Promise<ClientError> {
  const e = await p.then(() => { throw new Error("expected a rejection"); }, (e: unknown) => e);
  expect(e).toBeInstanceOf(ClientError);
  return e as ClientError;
}

describe("taskmill/client", () => {
  it("K5: a ClientError carries the master's status, message and field and names the URL; a master that is down is named with the reason; bad options are refused by name", async () => {
    const m = await startMaster({ port: 0, store: "memory", processors: { echo }, ...quiet });
    open.push(m);
    const client = createClient({ url: m.url });

    const unknown = await rejection(client.get("nope"));
    expect(unknown.status).toBe(404);
    expect(unknown.field).toBe("id");
    expect(unknown.url).toBe(`${m.url}/api/instances/nope`);
    expect(unknown.message).toBe(`404 from ${m.url}/api/instances/nope: unknown instance: nope`);

    const badSetting = await rejection(client.submit({ processor: "echo", params: { x: 1 }, settings: { pageSize: 0 } }));
    expect(badSetting.status).toBe(400);
    expect(badSetting.field).toBe("pageSize");
    expect(badSetting.message).toContain("pageSize: Expected an integer from 1 to 100000, got 0");

    const { instanceId } = await client.submit({ processor: "echo", params: { x: 7 } });
    expect((await client.wait(instanceId)).result).toBe(7);
    const notRunning = await rejection(client.kill(instanceId));
    expect(notRunning.status).toBe(409);
    expect(notRunning.message).toContain(`${m.url}/api/instances/${instanceId}/kill`);

    // With a token the master refuses the client that has none, and takes the one that has it.
    const guarded = await startMaster({ port: 0, store: "memory", processors: { echo }, token: "s3cret", ...quiet });
    open.push(guarded);
    expect((await rejection(createClient({ url: guarded.url }).list())).status).toBe(401);
    expect(await createClient({ url: guarded.url, token: "s3cret" }).list()).toEqual([]);

    const url = m.url;
    await m.close();
    const down = await rejection(client.get(instanceId));
    expect(down.status).toBeNull();
    expect(down.code).toBe("ECONNREFUSED");
    expect(down.transient).toBe(true);
    expect(down.message).toBe(`cannot reach the master at ${url} (ECONNREFUSED) — is it running?`);

    expect(() => createClient({ url: "127.0.0.1:7070" })).toThrow('url: Expected an http:// or https:// URL like http://127.0.0.1:7070, got "127.0.0.1:7070"');
    expect(() => createClient({ url: "http://h:1", token: "" })).toThrow('token: Expected a non-empty string, got ""');
    expect(() => createClient({ url: "http://h:1", reconnectForMs: -1 })).toThrow("reconnectForMs: Expected an integer >= 0, got -1");
    await expect(client.get("")).rejects.toThrow('id: Expected a non-empty string, got ""');
  });

  it("K6: wait and watch follow an instance across a restart of its master, re-attaching once the master is back; an ended instance is watched as its final view, once", { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "taskmill-client-"));
    try {
      // ROOT's first run holds until its master stops it; the run after the restart succeeds.
      const gated = defineMapReduce({
        async process(ctx) {
          if (ctx.attempt === 0) await new Promise((r) => ctx.signal.addEventListener("abort", r, { once: true }));
          return { ok: true, result: ctx.attempt };
        },
        async reduce() { return { ok: true, result: "done after a restart" }; },
      });
      const store = `sqlite:${join(dir, "jobs.db")}`;
      const first = await startMaster({ port: 0, store, processors: { gated }, ...quiet });
      const client = createClient({ url: first.url });
      const { instanceId } = await client.submit({ processor: "gated", settings: { heartbeatMs: 100, livenessTimeoutMs: 500 } });
      const seen: string[] = [];
      const watched = (async () => { for await (const p of client.watch(instanceId)) seen.push(p.status); })();
      const waited = client.wait(instanceId);
      // The instance runs: its ROOT is held. Then the master goes away, and comes back on its store and port.
      expect((await client.get(instanceId)).status).toBe("RUNNING");
      await first.close();
      const second = await startMaster({ port: first.port, store, processors: { gated }, ...quiet });
      open.push(second);
      const final = await waited;
      await watched;
      expect(final.status).toBe("SUCCESS");
      expect(final.result).toBe("done after a restart");
      expect(seen.at(-1)).toBe("SUCCESS");
      // Watched once it has ended: its final view, once.
      const again: string[] = [];
      for await (const p of client.watch(instanceId)) again.push(p.status);
      expect(again).toEqual(["SUCCESS"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("taskmill/client's event-stream reader", () => {
  /** A Response whose body arrives in exactly these chunks. */
  const chunked = (chunks: string[]) => new Response(new ReadableStream({
    start(c) {
      for (const x of chunks) c.enqueue(new TextEncoder().encode(x));
      c.close();
    },
  }));
  const text = 'event: progress\r\ndata: {"a":"é"}\r\n\r\n: keepalive\n\nevent: done\ndata: 1\ndata: 2\n\n';

  it("K6: reads the same events however the bytes are split — inside a CRLF, a UTF-8 character or a line — skipping comments and joining data lines", async () => {
    const bytes = new TextEncoder().encode(text);
    const whole: string[] = [];
    for await (const e of serverEvents(new Response(text))) whole.push(`${e.event}=${e.data}`);
    expect(whole).toEqual(['progress={"a":"é"}', "done=1\n2"]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const res = new Response(new ReadableStream({
        start(c) {
          c.enqueue(bytes.slice(0, cut));
          c.enqueue(bytes.slice(cut));
          c.close();
        },
      }));
      const got: string[] = [];
      for await (const e of serverEvents(res)) got.push(`${e.event}=${e.data}`);
      expect(got, `cut at byte ${cut}`).toEqual(whole);
    }
    const perChar: string[] = [];
    for await (const e of serverEvents(chunked([...text]))) perChar.push(`${e.event}=${e.data}`);
    expect(perChar).toEqual(whole);
  });
});
