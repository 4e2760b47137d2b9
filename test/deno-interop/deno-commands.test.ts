// The client commands on Deno (adapters/deno/cli.ts, sharing adapters/cli with
// Node) against a Node master: submit --id --wait, tasks, kill, --version, their
// exit codes and errors; and a Deno worker's log of a master it cannot reach.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createServer } from "node:net";
import { taskmill, killAll, requireBuild, CHAOS_PROCESSORS } from "../processes.ts";
import { denoTaskmill, denoDir, INTEROP_TS } from "./deno-cli.ts";

let cache: string;
let url: string;

beforeAll(async () => {
  requireBuild();
  cache = denoDir();
  const m = taskmill(["master", "--port", "0", "--store", "memory", "--processors", CHAOS_PROCESSORS]);
  url = (await m.waitFor("master-ready")).url as string;
});
afterAll(async () => {
  await killAll();
  rmSync(cache, { recursive: true, force: true });
});

/** Runs a Deno CLI command to its end: its exit code and its output lines. */
async function deno(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; out: string; events: Array<Record<string, unknown>> }> {
  const p = denoTaskmill(args, { denoDir: cache, env, allowEnv: ["TASKMILL_MASTER", "TASKMILL_TOKEN"] });
  const status = await p.exited;
  return { status, out: p.output.join("\n"), events: p.events };
}

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe("the client commands on Deno", () => {
  it("L12: on Deno, submit --id --wait runs a job to SUCCESS (exit 0), tasks ID lists every task (TASKMILL_MASTER), an unknown id exits 4, no master exits 3, --version is package.json's", { timeout: 120_000 }, async () => {
    const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
    const port = await closedPort();
    const [sub, v, unknown, down] = await Promise.all([
      deno(["submit", "--master", url, "--processor", "slowSum", "--id", "deno-1", "--params", JSON.stringify({ n: 150, ms: 1 }), "--settings", JSON.stringify({ retainTasks: "all" }), "--wait"]),
      deno(["--version"]),
      deno(["kill", "no-such-id", "--master", url]),
      deno(["status", "--master", `http://127.0.0.1:${port}`]),
    ]);
    expect(sub.status, sub.out).toBe(0);
    expect(sub.events[0]).toEqual({ event: "submitted", instanceId: "deno-1", created: true });
    expect(sub.out).toMatch(/^status: SUCCESS\nresult: \{"sum":11175,"count":150\}$/m);
    expect([v.status, v.out.trim()]).toEqual([0, version]);
    expect([unknown.status, unknown.out.trim()]).toEqual([4, "taskmill kill: 404: unknown instance: no-such-id"]);
    expect([down.status, down.out.trim()]).toEqual([3, `taskmill status: cannot reach the master at http://127.0.0.1:${port} (ECONNREFUSED) — is it running?`]);
    const tasks = await deno(["tasks", "deno-1", "--name", "T", "--limit", "40"], { TASKMILL_MASTER: url });
    expect(tasks.status, tasks.out).toBe(0);
    expect(tasks.out.split("\n").filter((l) => /^r\.0\.\d+ {2}SUCCESS {2}T /.test(l))).toHaveLength(150);
  });

  it("L9/L12/L16: a Deno worker whose master is down logs its failed attempts with the next attempt's time; a module with a syntax error is named with its file and line", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "taskmill-deno-commands-"));
    const bad = join(dir, "bad.mjs");
    writeFileSync(bad, "export const p = {\n  process(ctx) {\n    return { ok: true ;\n  },\n};\n");
    const broken = denoTaskmill(["worker", "--master", url, "--processors", bad], { denoDir: cache, rw: dir });
    expect(await broken.exited).toBe(1);
    expect(broken.output.join("\n")).toContain(`--processors: could not load ${realpathSync(bad)}: `);
    expect(broken.output.join("\n")).toContain(`${pathToFileURL(realpathSync(bad)).href}:3:`);
    rmSync(dir, { recursive: true, force: true });
    const port = await closedPort();
    const w = denoTaskmill(["worker", "--master", `http://127.0.0.1:${port}`, "--processors", INTEROP_TS], { denoDir: cache });
    const line = await w.waitFor("master-unreachable", 30_000);
    expect(line).toMatchObject({ master: `http://127.0.0.1:${port}`, attempt: 1, error: "ECONNREFUSED" });
    expect(String(line.message)).toMatch(/ — attempt 1, down for 0 s; next attempt at \d\d:\d\d:\d\d UTC \(in 0\.5 s\)$/);
  });
});
