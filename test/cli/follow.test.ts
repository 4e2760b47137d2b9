// How a follow (watch, submit --wait, retry --wait) meets a master that goes
// away, answers what it should not, or was never there — against a small HTTP
// server standing in for the master, on a clock the test moves (no sleeps).
import { describe, it, expect, afterEach } from "vitest";
import { createServer, type Server, type ServerResponse } from "node:http";
import { follow } from "../../adapters/cli/commands/watch.ts";
import { MasterCalls } from "../../adapters/cli/master-calls.ts";
import { CliError } from "../../adapters/cli/cli-errors.ts";

const servers: Server[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); }))); });

/** A stand-in master: `view` answers GET /api/instances/:id, `events` its event stream. */
async function fakeMaster(o: { view: (res: ServerResponse) => void; events: (res: ServerResponse) => void }): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => (req.url!.endsWith("/events") ? o.events(res) : o.view(res)));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

const json = (res: ServerResponse, status: number, body: unknown) => { res.writeHead(status, { "content-type": "application/json" }); res.end(JSON.stringify(body)); };
const running = { instanceId: "i1", processor: "p", status: "RUNNING", result: null, serialNum: 1, createdAt: 0, finishedAt: null, progress: null, failedCount: 0, errors: [], retainUntil: null };
const names = { ROOT: { total: 1, init: 0, pulled: 0, running: 1, success: 0, failed: 0 } };

/** Output kept in arrays, and a clock that moves by what the follow sleeps. */
function harness() {
  const out: string[] = [], err: string[] = [], screen: string[] = [];
  let t = 0;
  return {
    out, err, screen, slept: () => t,
    o: {
      io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), screen: { write: (s: string) => screen.push(s), isTTY: false } },
      now: () => t, sleep: async (ms: number) => { t += ms; },
    },
  };
}

describe("L6 a follow and its master", () => {
  it("L6: a master lost mid-follow is tried again with backoff for reattachMs, said once on stderr, then the follow gives up with exit 3", async () => {
    let views = 0;
    const m = await fakeMaster({
      view: (res) => { views++; json(res, 200, running); },
      events: (res) => { res.writeHead(200, { "content-type": "text/event-stream" }); res.end(`event: progress\ndata: ${JSON.stringify({ names })}\n\n`); },
    });
    const h = harness();
    const p = follow({ calls: new MasterCalls([m.url]), id: "i1", cmd: "watch", reattachMs: 20_000, ...h.o, sleep: async (ms) => {
      await h.o.sleep(ms);
      if (views === 2) { m.server.closeAllConnections(); await new Promise((r) => m.server.close(r)); }
    } });
    const e = await p.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).exitCode).toBe(3);
    expect((e as CliError).message).toBe(`cannot reach the master at ${m.url} (ECONNREFUSED) — is it running?`);
    expect(h.err).toEqual([`taskmill watch: cannot reach the master at ${m.url} (ECONNREFUSED) — is it running? (re-attaching for up to 20 s)`]);
    expect(h.screen[0]).toMatch(/^ROOT /);
    // 500 ms twice while it answered, then 250, 500, 1000, 2000, 4000, 5000, 5000, 5000 (the lost clock reads 22.75 s > 20 s).
    expect(h.slept()).toBe(1000 + 250 + 500 + 1000 + 2000 + 4000 + 5000 + 5000 + 5000);
  });

  it("L6/L3: a master that never answered ends the follow at once (exit 3); a view answered 401 ends it with the master's error (exit 1), not a loop", async () => {
    const h = harness();
    const gone = await fakeMaster({ view: (res) => json(res, 200, running), events: (res) => json(res, 200, running) });
    gone.server.close();
    const never = await follow({ calls: new MasterCalls([gone.url]), id: "i1", cmd: "watch", ...h.o }).catch((x: unknown) => x);
    expect([(never as CliError).exitCode, h.slept()]).toEqual([3, 0]);
    const locked = await fakeMaster({ view: (res) => json(res, 401, { error: "missing or wrong bearer token" }), events: (res) => json(res, 401, { error: "missing or wrong bearer token" }) });
    const e = await follow({ calls: new MasterCalls([locked.url]), id: "i1", cmd: "watch", ...h.o }).catch((x: unknown) => x);
    expect([(e as CliError).exitCode, (e as CliError).message]).toEqual([1, "401: missing or wrong bearer token"]);
  });

  it("L6: given two masters, a follow whose first stops answering goes on with the second and says it re-attached there", async () => {
    let ended = false;
    const a = await fakeMaster({ view: (res) => json(res, 200, running), events: (res) => { res.writeHead(200, { "content-type": "text/event-stream" }); res.end(); } });
    const b = await fakeMaster({
      view: (res) => json(res, 200, ended ? { ...running, status: "SUCCESS", result: 42, progress: { names, workers: {} } } : running),
      events: (res) => { ended = true; res.writeHead(200, { "content-type": "text/event-stream" }); res.end(); },
    });
    const h = harness();
    let first = true;
    const code = await follow({ calls: new MasterCalls([a.url, b.url]), id: "i1", cmd: "watch", ...h.o, sleep: async (ms) => {
      await h.o.sleep(ms);
      if (first) { first = false; a.server.closeAllConnections(); await new Promise((r) => a.server.close(r)); }
    } });
    expect(code).toBe(0);
    expect(h.out.slice(0, 2)).toEqual(["status: SUCCESS", "result: 42"]);
    expect(h.err).toEqual([]); // b answered the first request after a left: nothing was lost
  });
});
