// Failures as a user meets them on the command line: real processes (a
// master, two workers, submit --wait, tasks, retry) running a processor
// module written outside taskmill whose tasks are flaky, hang or always fail.
import { describe, it, expect, beforeAll, afterEach } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { taskmill, killAll, requireBuild, CLI, FLAKY_PROCESSORS } from "../processes.ts";

const dirs: string[] = [];
beforeAll(() => requireBuild());
afterEach(async () => {
  await killAll();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });

/** A master on SQLite in a fresh folder and two workers, all loading the flaky module. */
async function cluster(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "taskmill-cli-failures-"));
  dirs.push(dir);
  const master = taskmill(["master", "--port", "0", "--store", `sqlite:${join(dir, "t.db")}`, "--processors", FLAKY_PROCESSORS]);
  const url = (await master.waitFor("master-ready")).url as string;
  const workers = ["w1", "w2"].map((id) => taskmill(["worker", "--master", url, "--processors", FLAKY_PROCESSORS, "--id", id, "--heartbeat-ms", "200"]));
  await Promise.all(workers.map((w) => w.waitFor("worker-ready")));
  return url;
}

/** 40 chunks of i + 1 words each. */
const CHUNKS = Array.from({ length: 40 }, (_, i) => Array.from({ length: i + 1 }, (_, k) => `w${k}`).join(" "));
const WORDS = (40 * 41) / 2;

describe("taskmill CLI: failures", () => {
  it("B21/B22: flaky chunks (fail their first run) and hanging ones (never return from it) end SUCCESS with taskMaxAttempts and taskTimeout; `tasks --all` shows the failed runs", { timeout: 120_000 }, async () => {
    const url = await cluster();
    const params = { chunks: CHUNKS, flaky: [2, 11, 23], hang: [5, 31] };
    const settings = { execOnMaster: false, taskMaxAttempts: 3, taskRetryDelay: "50ms", taskTimeout: "1s", retainTasks: "all", livenessTimeoutMs: 2000 };
    const sub = taskmill(["submit", "--master", url, "--processor", "wordCount", "--params", JSON.stringify(params), "--settings", JSON.stringify(settings), "--wait"]);
    const id = (await sub.waitFor("submitted")).instanceId as string;
    expect(await sub.exited).toBe(0);
    const out = sub.output.join("\n");
    expect(out).toContain("status: SUCCESS");
    expect(out).toContain(`result: ${JSON.stringify({ words: WORDS, failed: [] })}`);
    expect(out).not.toMatch(/^failed:/m);

    // Kept with retainTasks "all": every chunk succeeded, the five that failed a run once at attempt 1.
    const tasks = run(["tasks", id, "--master", url, "--name", "CHUNK", "--limit", "7"]);
    expect(tasks.status, tasks.stderr).toBe(0);
    const lines = tasks.stdout.trim().split("\n");
    expect(lines).toHaveLength(40);
    expect(lines.every((l) => /^r\.0\.\d+  SUCCESS  CHUNK  attempt \d+  w\d#\d+  \d failed runs?/.test(l))).toBe(true);
    const retried = lines.filter((l) => / 1 failed run  /.test(l) || / 1 failed run$/.test(l)).map((l) => Number(/^r\.0\.(\d+)/.exec(l)![1]));
    expect(retried.sort((a, b) => a - b)).toEqual([2, 5, 11, 23, 31]);
    for (const i of [2, 11, 23]) expect(lines[i]).toMatch(/attempt 1 .* 1 failed run {2}chunk \d+: flaky first run$/);
    for (const i of [5, 31]) expect(lines[i]).toMatch(/attempt 1 .* 1 failed run {2}timed out after 1s$/);
    // One page, and where the next starts.
    const page = run(["tasks", id, "--master", url, "--limit", "7", "--page"]);
    expect(page.stdout.trim().split("\n")).toHaveLength(7);
    expect(page.stderr).toMatch(/^more: --cursor \S+$/m);
    const next = run(["tasks", id, "--master", url, "--limit", "7", "--page", "--cursor", /--cursor (\S+)/.exec(page.stderr)![1]!]);
    expect(next.stdout.split("\n")[0]).toMatch(/^r\.0\.6 /); // ROOT, then chunks 0-5 on the first page
  });

  it("B25/B26: a chunk that always fails: submit --wait prints its error, GET …/tasks?status=FAILED returns it, `tasks` lists it, and `retry` runs it again (FAILED again)", { timeout: 120_000 }, async () => {
    const url = await cluster();
    const params = { chunks: CHUNKS.slice(0, 10), broken: [3] };
    const settings = { execOnMaster: false, taskMaxAttempts: 2, taskRetryDelay: "50ms" };
    const sub = taskmill(["submit", "--master", url, "--processor", "wordCount", "--params", JSON.stringify(params), "--settings", JSON.stringify(settings), "--wait"]);
    const id = (await sub.waitFor("submitted")).instanceId as string;
    expect(await sub.exited).toBe(1);
    const out = sub.output.join("\n");
    expect(out).toContain("status: FAILED");
    expect(out).toContain('result: "1 of 11 tasks failed"');
    expect(out).toMatch(/^failed: 1 task$/m);
    expect(out).toMatch(/^ {2}r\.0\.3 {2}CHUNK {2}attempt 1 {2}w\d#\d+ {2}chunk 3 is broken$/m);

    const res = await fetch(`${url}/api/instances/${id}/tasks?status=FAILED`);
    expect(res.status).toBe(200);
    const page = await res.json() as { tasks: Array<{ taskId: string; name: string; status: string; attempt: number; failures: number; error?: { message: string } }>; cursor: string | null };
    expect(page.cursor).toBeNull();
    expect(page.tasks).toHaveLength(1);
    expect(page.tasks[0]).toMatchObject({ taskId: "r.0.3", name: "CHUNK", status: "FAILED", attempt: 1, failures: 2, error: { message: "chunk 3 is broken" } });

    const listed = run(["tasks", "--master", url, "--instance", id, "--status", "FAILED"]);
    expect(listed.status).toBe(0);
    expect(listed.stdout.trim()).toMatch(/^r\.0\.3 {2}FAILED {3}CHUNK {2}attempt 1 {2}w\d#\d+ {2}2 failed runs {2}chunk 3 is broken$/);
    expect(listed.stderr).toBe("");
    const status = run(["status", "--master", url]);
    expect(status.stdout).toMatch(new RegExp(`^${id} {2}FAILED .*\\n {2}failed: 1 task\\n {4}r\\.0\\.3 {2}CHUNK {2}attempt 1 `, "m"));

    const retry = taskmill(["retry", id, "--master", url, "--wait"]);
    expect((await retry.waitFor("retried")).serialNum).toBe(2);
    expect(await retry.exited).toBe(1);
    const again = retry.output.join("\n");
    expect(again).toContain("status: FAILED");
    // The rerun ran the broken chunk only, twice more (a fresh budget); the nine others kept their results.
    expect(again).toMatch(/^ {2}r\.0\.3 {2}CHUNK {2}attempt 3 {2}w\d#\d+ {2}chunk 3 is broken$/m);
    const view = await (await fetch(`${url}/api/instances/${id}`)).json() as { serialNum: number; failedCount: number };
    expect([view.serialNum, view.failedCount]).toEqual([2, 1]);
    const refused = run(["retry", "no-such-instance", "--master", url]);
    expect([refused.status, refused.stderr.trim()]).toEqual([4, "taskmill retry: 404: unknown instance: no-such-instance"]);
  });

  it("--help of tasks and retry; a bad query is refused naming the field", { timeout: 60_000 }, async () => {
    for (const cmd of ["tasks", "retry"]) {
      const r = run([cmd, "--help"]);
      expect(r.status, cmd).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: taskmill ${cmd} ID --master URL`));
    }
    expect(run(["tasks", "--master", "http://127.0.0.1:1"]).stderr).toMatch(/the instance ID is required/);
    expect(run(["tasks", "x", "--master", "http://127.0.0.1:1", "--all", "--page"]).stderr).toMatch(/--all and --page do not go together/);
    const url = await cluster();
    const bad = run(["tasks", "--master", url, "--instance", "x", "--status", "DONE"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('taskmill tasks: 400: status: Expected one of INIT, PULLED, RUNNING, SUCCESS, FAILED, got "DONE"');
  });
});
