// H5, H6 on the Deno CLI (adapters/deno/cli.ts), as a user runs it: no token, no network;
// the token from a file; the Host check in front of every route.
import { describe, it, expect, beforeAll, afterAll, afterEach } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:http";
import { killAll } from "../processes.ts";
import { denoTaskmill, denoDir } from "./deno-cli.ts";

const dirs: string[] = [];
let cache: string;
beforeAll(() => { cache = denoDir(); dirs.push(cache); });
afterEach(async () => { await killAll(); });
afterAll(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** GET `path` with a Host header of our choosing; resolves with the status. */
function statusWithHost(url: string, path: string, host: string, headers: Record<string, string> = {}): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: Number(u.port), path, headers: { ...headers, host } }, (res) => { res.resume(); resolve(res.statusCode!); });
    req.on("error", reject);
    req.end();
  });
}

describe("H5 no token, loopback only (Deno CLI)", () => {
  it("H5: the Deno master refuses --host 0.0.0.0 without a token (exit 1, naming host); by default it listens on loopback and says so", { timeout: 60_000 }, async () => {
    const refused = denoTaskmill(["master", "--port", "0", "--host", "0.0.0.0"], { denoDir: cache });
    expect(await refused.exited).toBe(1);
    expect(refused.output.join("\n")).toMatch(/taskmill: host: Expected a loopback address \(127\.0\.0\.1, ::1, localhost\) when no token is given/);
    const plain = denoTaskmill(["master", "--port", "0"], { denoDir: cache });
    await plain.waitFor("master-ready", 30_000);
    expect(plain.output.join("\n")).toMatch(/no token, so listening on loopback only \(127\.0\.0\.1\)/);
  });
});

describe("H6 where a token comes from (Deno CLI)", () => {
  it("H6: the Deno master reads --token-file; the API then wants it, a foreign Host gets 421 (H4), and no output shows the token", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "taskmill-deno-edge-"));
    dirs.push(dir);
    const file = join(dir, "token");
    writeFileSync(file, "s3cret-deno-file\n", { mode: 0o600 });
    const m = denoTaskmill(["master", "--port", "0", "--token-file", file], { denoDir: cache, rw: dir });
    const url = String((await m.waitFor("master-ready", 30_000)).url);
    expect((await fetch(`${url}/api/instances`)).status).toBe(401);
    expect((await fetch(`${url}/api/instances`, { headers: { authorization: "Bearer s3cret-deno-file" } })).status).toBe(200);
    expect(await statusWithHost(url, "/health", "evil.example", { authorization: "Bearer s3cret-deno-file" })).toBe(421);
    expect(m.output.join("\n") + JSON.stringify(m.events)).not.toContain("s3cret-deno-file");
  });
});
