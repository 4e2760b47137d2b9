// H1, H2: what a web page the operator visits cannot do to a master — no simple
// cross-site request (text/plain, no preflight) changes anything.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startHttpCluster } from "./cluster.ts";
import { Gate, gated } from "../master/processors.ts";

const gate = new Gate();
let cluster: Awaited<ReturnType<typeof startHttpCluster>>;
beforeAll(async () => { cluster = await startHttpCluster({ workers: 1, processors: { job: gated(gate) }, allowOrigins: ["https://ops.example"] }); });
afterAll(async () => { gate.open(); await cluster.stop(); });

const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${cluster.base}${path}`, { method: "POST", headers, body });

describe("H1 state changes take JSON only", () => {
  it("H1: a kill, a submit or a forged start batch sent as a simple request (text/plain, or no content-type) gets 415 and changes nothing", async () => {
    const id = await cluster.master.submit({ processor: "job", params: { n: 2 } });
    const simple: Array<Record<string, string>> = [{ "content-type": "text/plain" }, { "content-type": "application/x-www-form-urlencoded" }, {}];
    for (const headers of simple) {
      const kill = await post(`/api/instances/${id}/kill`, "x", headers);
      expect(kill.status).toBe(415);
      // With no content-type given, fetch sends the body as text/plain, as a page's simple request would.
      const sent = headers["content-type"] ?? "text/plain;charset=UTF-8";
      expect(await kill.json()).toEqual({ error: `content-type: Expected application/json, got ${JSON.stringify(sent)}`, field: "content-type" });
      expect((await post("/api/instances", JSON.stringify({ processor: "job", params: { n: 1 } }), headers)).status).toBe(415);
      expect((await post("/worker/tasks/start", "{}", headers)).status).toBe(415);
      expect((await post("/api/instances/" + id + "/retry", "{}", headers)).status).toBe(415);
    }
    expect((await cluster.master.get(id))!.status).toBe("RUNNING");
    expect((await cluster.master.list()).length).toBe(1);
    // The same kill as JSON is taken.
    expect((await post(`/api/instances/${id}/kill`, "{}", { "content-type": "application/json; charset=utf-8" })).status).toBe(200);
    expect((await cluster.master.waitFor(id)).status).toBe("FAILED");
  });
});

describe("H2 requests from other sites' pages are refused", () => {
  it("H2: a request carrying another site's Origin gets 403; the master's own origin and --allow-origin pass; no Origin (CLI, workers) passes", async () => {
    const json = { "content-type": "application/json" };
    const submit = (origin?: string) => post("/api/instances", JSON.stringify({ processor: "job", params: { n: 0 } }), origin ? { ...json, origin } : json);
    const evil = await submit("https://evil.example");
    expect(evil.status).toBe(403);
    expect(await evil.json()).toEqual({
      error: `origin: Expected this server's own origin (${cluster.base}) or one of https://ops.example, got "https://evil.example"`, field: "origin",
    });
    expect((await submit("null")).status).toBe(403);
    expect((await submit(cluster.base)).status).toBe(201);
    expect((await submit("https://ops.example")).status).toBe(201);
    expect((await submit()).status).toBe(201);
  });

  it("H2: the worker protocol takes no request from any web page: a forged start batch with an Origin gets 403", async () => {
    const res = await post("/worker/tasks/start", "{}", { "content-type": "application/json", origin: cluster.base });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/^origin: Expected no Origin \(this endpoint takes no requests from web pages\)/);
  });
});
