// The taskmill command as a user runs it: separate processes, a processor
// module written outside taskmill, submit --wait, status, --help.
import { describe, it, expect, beforeAll, afterEach } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { taskmill, killAll, poll, requireBuild, CLI, CHAOS_PROCESSORS } from "../processes.ts";

const dirs: string[] = [];
beforeAll(() => requireBuild());
afterEach(async () => {
  await killAll();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "taskmill-cli-"));
  dirs.push(d);
  return d;
}

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });

/** A processor module as a user would write it: plain objects, no taskmill import. */
function userModule(dir: string): string {
  const file = join(dir, "wordlen.mjs");
  writeFileSync(file, `
export const wordLengths = {
  async process(ctx) {
    if (ctx.isRoot) {
      await ctx.map(ctx.params.words, "WORD");
      return { ok: true };
    }
    await new Promise((r) => setTimeout(r, 15));
    return { ok: true, result: ctx.body.length };
  },
  async reduce(ctx) {
    let total = 0;
    for await (const r of ctx.results) if (r.name === "WORD") total += r.result;
    return { ok: true, result: total };
  },
};
export const helper = 42;
`);
  return file;
}

describe("taskmill CLI", () => {
  it("--help on every command", () => {
    for (const cmd of ["", "master", "worker", "submit", "watch", "status", "tasks", "kill", "retry", "demo"]) {
      const r = run(cmd ? [cmd, "--help"] : ["--help"]);
      expect(r.status, cmd).toBe(0);
      expect(r.stdout).toMatch(/Usage: taskmill/);
    }
    const bad = run(["frobnicate"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "frobnicate"/);
    const badOpt = run(["worker", "--master", "http://x", "--processors", CHAOS_PROCESSORS, "--slots", "zero"]);
    expect(badOpt.status).toBe(2);
    expect(badOpt.stderr).toMatch(/--slots: Expected an integer >= 1, got "zero"/);
  });

  it("a processor module from elsewhere runs through master + two workers + submit --wait, also when a worker is killed mid-run", { timeout: 120_000 }, async () => {
    const dir = tmp();
    const mod = userModule(dir);
    const master = taskmill(["master", "--port", "0", "--store", `sqlite:${join(dir, "t.db")}`, "--processors", mod]);
    const ready = await master.waitFor("master-ready");
    expect(master.output.join("\n")).toMatch(/ignoring export "helper"/);
    const url = ready.url as string;
    const w1 = taskmill(["worker", "--master", url, "--processors", mod, "--id", "w1", "--heartbeat-ms", "200"]);
    const w2 = taskmill(["worker", "--master", url, "--processors", mod, "--id", "w2", "--heartbeat-ms", "200"]);
    await Promise.all([w1.waitFor("worker-ready"), w2.waitFor("worker-ready")]);
    const words = Array.from({ length: 400 }, (_, i) => "x".repeat((i % 7) + 1));
    const expected = words.reduce((a, w) => a + w.length, 0);
    const settings = JSON.stringify({ execOnMaster: false, livenessTimeoutMs: 1500, consumerSize: 4, pageSize: 8 });
    const sub = taskmill(["submit", "--master", url, "--processor", "wordLengths", "--params", JSON.stringify({ words }), "--settings", settings, "--wait"]);
    const submitted = await sub.waitFor("submitted");
    await poll(async () => {
      const r = await fetch(`${url}/api/instances/${submitted.instanceId as string}`);
      const v = await r.json() as { progress?: { names: Record<string, { success: number }> } };
      return (v.progress?.names.WORD?.success ?? 0) > 50 ? true : undefined;
    });
    w1.child.kill("SIGKILL");
    expect(await sub.exited).toBe(0);
    expect(sub.output.join("\n")).toMatch(new RegExp(`status: SUCCESS[\\s\\S]*result: ${expected}`));
    const status = run(["status", submitted.instanceId as string, "--master", url]);
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: "SUCCESS", result: expected });
    const list = run(["status", "--master", url]);
    expect(list.stdout).toContain(submitted.instanceId as string);
  });

  it("submit --wait exits non-zero when the instance fails; an unknown processor is refused with a clear error", { timeout: 60_000 }, async () => {
    const dir = tmp();
    const mod = join(dir, "fails.mjs");
    writeFileSync(mod, `export const fails = { process: (ctx) => ({ ok: !ctx.isRoot, result: "root refuses" }) };`);
    const master = taskmill(["master", "--port", "0", "--store", "memory", "--processors", mod]);
    const url = (await master.waitFor("master-ready")).url as string;
    const sub = run(["submit", "--master", url, "--processor", "fails", "--wait"]);
    expect(sub.status).toBe(1);
    expect(sub.stdout).toMatch(/status: FAILED/);
    const unknown = run(["submit", "--master", url, "--processor", "nope"]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/400: processor: Expected a loaded processor \(fails\), got "nope"/);
  });

  it("a module with no processor is refused; a bad store URL names the URL and hides the password", () => {
    const dir = tmp();
    const empty = join(dir, "empty.mjs");
    writeFileSync(empty, `export const x = 1;`);
    const r = run(["master", "--port", "0", "--store", "memory", "--processors", empty]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/exports no processor/);
    const s = run(["master", "--port", "0", "--store", "mysql://root:hunter2@localhost/db"]);
    expect(s.status).not.toBe(0);
    expect(s.stderr).toContain("mysql://root:***@localhost/db");
    expect(s.stderr).not.toContain("hunter2");
  });

  it("with --token, the CLI's requests carry it and others are refused", { timeout: 60_000 }, async () => {
    const master = taskmill(["master", "--port", "0", "--store", "memory", "--processors", CHAOS_PROCESSORS, "--token", "t0k"]);
    const url = (await master.waitFor("master-ready")).url as string;
    expect((await fetch(`${url}/api/instances`)).status).toBe(401);
    const ok = run(["status", "--master", url], { TASKMILL_TOKEN: "t0k" });
    expect(ok.status).toBe(0);
    const no = run(["status", "--master", url]);
    expect(no.status).toBe(1);
  });
});
