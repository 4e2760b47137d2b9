// H4: DNS rebinding — a page whose own name resolves to the master's address reaches
// it same-origin, so only the Host header tells it apart. Every route of every endpoint
// a process serves checks it.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { request } from "node:http";
import { Hono } from "hono";
import { startHttpCluster } from "./cluster.ts";
import { serveApp, freePort } from "../../adapters/node/serve.ts";
import { hostCheck } from "../../src/http/host-check.ts";
import { hostServed, servedHostNames } from "../../src/http/host-names.ts";

/** A request with a Host header of our choosing (fetch does not let one set it). */
function raw(port: number, path: string, host: string | null, o: { method?: string; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (host !== null) headers.host = host;
    const req = request({ host: "127.0.0.1", port, path, method: o.method ?? "GET", headers, setHost: host !== null }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => { body += d; });
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end(o.body);
  });
}

let cluster: Awaited<ReturnType<typeof startHttpCluster>>;
beforeAll(async () => { cluster = await startHttpCluster({ workers: 1 }); });
afterAll(async () => { await cluster.stop(); });

const port = (url: string) => Number(new URL(url).port);

describe("H4 every route checks Host against the names the process serves", () => {
  it("H4: a foreign Host gets 421 naming host on every route of the master — user API, worker protocol, /health, /metrics, /openapi.json, unknown paths — and nothing changes", async () => {
    const p = port(cluster.base);
    for (const [path, method] of [
      ["/health", "GET"], ["/metrics", "GET"], ["/openapi.json", "GET"], ["/api/instances", "GET"], ["/api/instances/x/events", "GET"],
      ["/api/instances", "POST"], ["/workers/register", "POST"], ["/worker/tasks/start", "POST"], ["/no/such/route", "GET"], ["/", "GET"],
    ] as const) {
      const r = await raw(p, path, `evil.example:${p}`, { method, body: method === "POST" ? JSON.stringify({ processor: "sumSquares", params: { n: 1 } }) : undefined });
      expect(r.status, `${method} ${path}`).toBe(421);
      const body = JSON.parse(r.body) as { error: string; field: string };
      expect(body.field).toBe("host");
      expect(body.error).toMatch(/^host: Expected one of the names this server answers to \(localhost, 127\.0\.0\.1, ::1, \*\.localhost, any IP address; more with --allow-host\), got "evil\.example:\d+"$/);
    }
    expect(await cluster.master.list()).toEqual([]);
  });

  it("H4: a worker's own endpoint checks Host too: a rebound forged start batch gets 421", async () => {
    const w = cluster.workers[0]!;
    const p = port(w.address);
    const r = await raw(p, "/tasks/start", "rebind.evil.example", { method: "POST", body: "{}" });
    expect(r.status).toBe(421);
    expect((await raw(p, "/health", "rebind.evil.example")).status).toBe(421);
    expect((await raw(p, "/health", `127.0.0.1:${p}`)).status).toBe(200);
  });

  it("H4: loopback names, *.localhost, any IP literal and no Host at all pass; the port is not checked", async () => {
    const p = port(cluster.base);
    for (const host of [`127.0.0.1:${p}`, `localhost:${p}`, "LOCALHOST", `[::1]:${p}`, `dash.localhost:${p}`, "192.168.1.20:80", "[fe80::1]", "localhost.:1"]) {
      expect((await raw(p, "/health", host)).status, host).toBe(200);
    }
    // No browser sends a request without Host: the check lets it through (Node's server itself
    // answers an HTTP/1.1 request without one 400).
    const app = new Hono().use("*", hostCheck({ bind: "127.0.0.1" })).get("/health", (c) => c.json({ ok: true }));
    expect((await app.request(new Request("http://ignored/health"))).status).toBe(200);
    expect((await app.request(new Request("http://ignored/health", { headers: { host: "evil.example" } }))).status).toBe(421);
  });

  it("H4: the bind address, the advertised host and --allow-host names are served; others are not", async () => {
    const app = new Hono().get("/health", (c) => c.json({ ok: true }));
    const s = await serveApp(app, await freePort(), "127.0.0.1", { advertise: "http://master-1.internal:7070", allowHosts: ["ops.example.com"] });
    try {
      expect((await raw(s.port, "/health", "master-1.internal:7070")).status).toBe(200);
      expect((await raw(s.port, "/health", "OPS.example.com")).status).toBe(200);
      expect((await raw(s.port, "/health", "ops.example.com.evil.example")).status).toBe(421);
      expect((await raw(s.port, "/health", "master-2.internal")).status).toBe(421);
    } finally {
      await s.close();
    }
  });

  it("H4: names are compared bare: a wildcard bind adds none, an unbracketed IPv6 bind is one name", () => {
    const names = servedHostNames({ bind: "0.0.0.0", advertise: "https://Jobs.Example.com/", allow: ["lan-box"] });
    expect([...names].sort()).toEqual(["127.0.0.1", "::1", "jobs.example.com", "lan-box", "localhost"]);
    expect(servedHostNames({ bind: "::" }).size).toBe(3);
    expect(hostServed("jobs.example.com:443", names)).toBe(true);
    expect(hostServed("", names)).toBe(false);
    expect(hostServed("[::1", names)).toBe(false);
    expect(hostServed("example.com", names)).toBe(false);
  });
});
