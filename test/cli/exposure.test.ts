// H5, H6 as a user meets them: `taskmill master` and `taskmill worker` without a token
// stay on loopback, a token comes from a file or the environment, and no output shows it.
import { describe, it, expect, beforeAll, afterEach } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { request } from "node:http";
import { join } from "node:path";
import { taskmill, killAll, requireBuild, tempDirs, CLI, CHAOS_PROCESSORS } from "../processes.ts";

const dirs = tempDirs("taskmill-exposure-");
const tmp = () => dirs.make();
beforeAll(() => requireBuild());
afterEach(async () => {
  await killAll();
  dirs.removeAll();
});

/** Runs the CLI to its end; TASKMILL_TOKEN is unset unless `env` gives it. */
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const base = { ...process.env };
  delete base.TASKMILL_TOKEN;
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...base, ...env }, timeout: 60_000 });
};

/** GET /health with a Host header of our choosing; resolves with the status. */
function healthWithHost(url: string, host: string): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: Number(u.port), path: "/health", headers: { host } }, (res) => { res.resume(); resolve(res.statusCode!); });
    req.on("error", reject);
    req.end();
  });
}

describe("H4 the Host check of taskmill master", () => {
  it("H4: the master answers to its machine's name and to --allow-host names; a foreign Host gets 421", async () => {
    const m = taskmill(["master", "--port", "0", "--store", "memory", "--allow-host", "jobs.example.com"], { TASKMILL_TOKEN: "" });
    const url = String((await m.waitFor("master-ready")).url);
    expect(await healthWithHost(url, hostname())).toBe(200);
    expect(await healthWithHost(url, "jobs.example.com:443")).toBe(200);
    expect(await healthWithHost(url, "evil.example")).toBe(421);
  });
});

describe("H5 no token, loopback only (CLI)", () => {
  it("H5: master and worker refuse a non-loopback --host without a token (exit 1, naming host), before opening anything", () => {
    const dir = tmp();
    const m = run(["master", "--host", "0.0.0.0", "--port", "0", "--store", `sqlite:${join(dir, "x.db")}`]);
    expect(m.status).toBe(1);
    expect(m.stderr).toMatch(/^taskmill: host: Expected a loopback address \(127\.0\.0\.1, ::1, localhost\) when no token is given/);
    expect(m.stdout).toBe("");
    expect(existsSync(join(dir, "x.db"))).toBe(false);
    const w = run(["worker", "--master", "http://127.0.0.1:1", "--processors", CHAOS_PROCESSORS, "--host", "0.0.0.0"]);
    expect(w.status).toBe(1);
    expect(w.stderr).toMatch(/^taskmill: host: Expected a loopback address/);
  });

  it("H5: by default a master binds loopback and says so; with --insecure it binds elsewhere with a warning", async () => {
    const plain = taskmill(["master", "--port", "0", "--store", "memory"], { TASKMILL_TOKEN: "" });
    const ready = await plain.waitFor("master-ready");
    expect(String(ready.url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(plain.output.join("\n")).toMatch(/no token, so listening on loopback only \(127\.0\.0\.1\)/);
    const loose = taskmill(["master", "--port", "0", "--store", "memory", "--host", "0.0.0.0", "--insecure"], { TASKMILL_TOKEN: "" });
    await loose.waitFor("master-ready");
    expect(loose.output.join("\n")).toMatch(/WARNING: taskmill master listens on 0\.0\.0\.0 WITHOUT A TOKEN \(--insecure\)/);
  });
});

describe("H6 where a token comes from (CLI)", () => {
  it("H6: a master and a client both reading --token-file: requests carry it, others get 401, and no output shows it", async () => {
    const dir = tmp();
    const file = join(dir, "token");
    writeFileSync(file, "s3cret-in-a-file\n", { mode: 0o600 });
    const m = taskmill(["master", "--port", "0", "--store", "memory", "--host", "0.0.0.0", "--token-file", file, "--processors", CHAOS_PROCESSORS], { TASKMILL_TOKEN: "" });
    const url = String((await m.waitFor("master-ready")).url);
    expect((await fetch(`${url}/api/instances`)).status).toBe(401);
    const ok = run(["status", "--master", url, "--token-file", file]);
    expect(ok.status, ok.stderr).toBe(0);
    const env = run(["status", "--master", url], { TASKMILL_TOKEN: "s3cret-in-a-file" });
    expect(env.status, env.stderr).toBe(0);
    const flag = run(["status", "--master", url, "--token", "s3cret-in-a-file"]);
    expect(flag.status).toBe(0);
    expect(flag.stderr).toContain("warning: --token is visible to every user of this machine (ps, /proc); prefer --token-file PATH or TASKMILL_TOKEN");
    const none = run(["status", "--master", url]);
    expect(none.status).not.toBe(0);
    for (const out of [ok.stdout, ok.stderr, env.stderr, flag.stderr, none.stderr, m.output.join("\n"), JSON.stringify(m.events)]) {
      expect(out).not.toContain("s3cret-in-a-file");
    }
  });

  it("H6: an empty or missing token file, or --token with --token-file, stops the command (exit 2) naming the flag", () => {
    const dir = tmp();
    const empty = join(dir, "empty");
    writeFileSync(empty, "\n");
    const e = run(["status", "--master", "http://127.0.0.1:1", "--token-file", empty]);
    expect(e.status).toBe(2);
    expect(e.stderr).toContain(`taskmill status: --token-file: Expected a file holding a token, not an empty one, got ${JSON.stringify(empty)}`);
    const missing = run(["master", "--store", "memory", "--token-file", join(dir, "nope")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^taskmill master: --token-file: Expected a readable file holding the token \(ENOENT/);
    const both = run(["submit", "--master", "http://127.0.0.1:1", "--processor", "x", "--token", "a", "--token-file", empty]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain("--token: Expected either --token or --token-file, not both");
  });
});
