// The commands that talk to a master, as a user runs them against one real
// master (SQLite, restarted once mid-job): kill, watch, tasks, status, retry,
// submit --id --wait across the restart, their errors and exit codes.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { taskmill, killAll, poll, requireBuild, tempDirs, viewInstance, CLI, CHAOS_PROCESSORS, type Proc } from "../processes.ts";

const dirs = tempDirs("taskmill-commands-");
let dir: string;
let master: Proc;
let url: string;

/** Starts the file's master on its SQLite store (on `port`, 0: a free one). */
async function startMaster(port = 0): Promise<void> {
  master = taskmill(["master", "--port", String(port), "--store", `sqlite:${join(dir, "t.db")}`, "--processors", CHAOS_PROCESSORS]);
  url = (await master.waitFor("master-ready")).url as string;
}

beforeAll(async () => {
  requireBuild();
  dir = dirs.make();
  await startMaster();
});
afterAll(async () => {
  await killAll();
  dirs.removeAll();
});

/** Runs the CLI to its end without blocking this process (a test's own server may have to answer it). */
function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  const base = { ...process.env };
  delete base.TASKMILL_MASTER;
  delete base.TASKMILL_TOKEN;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...base, ...env }, timeout: 60_000 }, (e, stdout, stderr) => {
      resolve({ status: e ? (typeof e.code === "number" ? e.code : -1) : 0, stdout, stderr });
    });
  });
}

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

interface View { status: string; progress: { names: Record<string, { running: number; success: number }> } | null }

describe("taskmill's client commands", () => {
  it("L10: --version prints package.json's version", async () => {
    const r = await run(["--version"]);
    expect([r.status, r.stdout.trim()]).toEqual([0, (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version]);
  });

  it("L2/L3: no master at the URL → exit 3 naming the URL and the reason; a URL without a scheme or with a path → exit 2 naming --master; TASKMILL_MASTER stands in for --master (L11)", async () => {
    const port = await closedPort();
    const [down, fromEnv, noScheme, path, worker, none] = await Promise.all([
      run(["status", "--master", `http://127.0.0.1:${port}`]),
      run(["watch", "some-id"], { TASKMILL_MASTER: `http://127.0.0.1:${port}` }),
      run(["submit", "--master", "localhost:7070", "--processor", "slowSum"]),
      run(["tasks", "x", "--master", `${url}/api`]),
      run(["worker", "--master", "127.0.0.1:7070", "--processors", CHAOS_PROCESSORS]),
      run(["status"]),
    ]);
    expect([down.status, down.stderr]).toEqual([3, `taskmill status: cannot reach the master at http://127.0.0.1:${port} (ECONNREFUSED) — is it running?\n`]);
    expect([fromEnv.status, fromEnv.stderr]).toEqual([3, `taskmill watch: cannot reach the master at http://127.0.0.1:${port} (ECONNREFUSED) — is it running?\n`]);
    expect(noScheme.status).toBe(2);
    expect(noScheme.stderr).toMatch(/^taskmill submit: --master: expected an http\(s\) URL like http:\/\/127\.0\.0\.1:7070, got 'localhost:7070'\n/);
    expect(path.status).toBe(2);
    expect(path.stderr).toContain(`--master: expected the master's base URL with no path, like http://127.0.0.1:7070, got '${url}/api'`);
    expect([worker.status, worker.stderr.split("\n")[0]]).toEqual([2, "taskmill worker: --master: expected an http(s) URL like http://127.0.0.1:7070, got '127.0.0.1:7070'"]);
    expect([none.status, none.stderr.split("\n")[0]]).toEqual([2, "taskmill status: --master is required (or set TASKMILL_MASTER), e.g. --master http://127.0.0.1:7070"]);
  });

  it("L13: a URL that answers, but not with a master's JSON, exits 3 naming the URL and what answered", async () => {
    const s = createServer((_req, res) => { res.writeHead(404, { "content-type": "text/html" }); res.end("<html>not here</html>"); });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const other = `http://127.0.0.1:${(s.address() as { port: number }).port}`;
    try {
      const r = await run(["status", "abc", "--master", other]);
      expect([r.status, r.stderr.trim()]).toEqual([3, `taskmill status: ${other} answered 404 (text/html) that is not a taskmill master's JSON — is --master the master's base URL, like http://127.0.0.1:7070?`]);
    } finally {
      s.close();
    }
  });

  it("L4/L3: kill --task fails one waiting task and the instance goes on; kill ends the instance (watch then exits 1); unknown ids exit 4 for every command", { timeout: 60_000 }, async () => {
    const sub = await run(["submit", "--master", url, "--processor", "slowSum", "--params", JSON.stringify({ n: 4, ms: 600_000 }), "--settings", JSON.stringify({ consumerSize: 1 })]);
    expect(sub.status, sub.stderr).toBe(0);
    const id = (JSON.parse(sub.stdout) as { instanceId: string }).instanceId;
    await poll(async () => ((await viewInstance<View>(url, id))?.progress?.names.T?.running === 1 ? true : undefined));
    // One T runs (for ten minutes), the others wait: a waiting one fails at once when killed (B17).
    const one = await run(["kill", id, "--task", "r.0.3", "--master", url, "--reason", "stuck"]);
    expect([one.status, JSON.parse(one.stdout)]).toEqual([0, { event: "killed", instanceId: id, taskId: "r.0.3" }]);
    await poll(async () => {
      const page = await (await fetch(`${url}/api/instances/${id}/tasks?status=FAILED`)).json() as { tasks: unknown[] };
      return page.tasks.length > 0 ? true : undefined;
    });
    const failed = await run(["tasks", id, "--master", url, "--status", "FAILED"]);
    expect(failed.stdout).toMatch(/^r\.0\.3 {2}FAILED .* {2}killed: stuck\n$/);
    expect((await viewInstance<View>(url, id))?.status).toBe("RUNNING");
    const noTask = await run(["kill", id, "--task", "r.0.99", "--master", url]);
    expect([noTask.status, noTask.stderr.trim()]).toEqual([4, `taskmill kill: 404: no unfinished task r.0.99 in instance ${id}`]);
    const all = await run(["kill", id, "--master", url]);
    expect([all.status, JSON.parse(all.stdout)]).toEqual([0, { event: "killed", instanceId: id }]);
    const watched = await run(["watch", id, "--master", url]);
    expect(watched.status).toBe(1);
    expect(watched.stdout).toMatch(/^status: FAILED$/m);
    const cmds = [["watch"], ["status"], ["tasks"], ["kill", "--task", "r.0"]]; // retry's: test/cli/failures.test.ts
    const unknown = await Promise.all(cmds.map((cmd) => run([cmd[0]!, "no-such-id", ...cmd.slice(1), "--master", url])));
    expect(unknown.map((r) => [r.status, r.stderr.trim()])).toEqual(cmds.map((cmd) => [4, `taskmill ${cmd[0]}: 404: unknown instance: no-such-id`]));
  });

  it("L6/L8/L7/L5/L17: submit --id KEY --wait sends the key as the instance id, rides out a master restart (re-attaches, exit 0 with the result); tasks ID pages through every match; watch ID of the ended instance draws ROOT, T, REDUCE and exits 0", { timeout: 120_000 }, async () => {
    const settings = JSON.stringify({ consumerSize: 8, retainTasks: "all" });
    const sub = taskmill(["submit", "--master", url, "--processor", "slowSum", "--id", "job-1", "--params", JSON.stringify({ n: 300, ms: 20 }), "--settings", settings, "--wait"]);
    expect(await sub.waitFor("submitted")).toEqual({ event: "submitted", instanceId: "job-1", created: true });
    await poll(async () => ((await viewInstance<View>(url, "job-1"))?.progress?.names.T?.success ?? 0) > 40 ? true : undefined);
    master.child.kill("SIGKILL");
    await master.exited;
    await startMaster(Number(new URL(url).port));
    expect(await sub.exited).toBe(0);
    const out = sub.output.join("\n");
    expect(out).toMatch(new RegExp(`taskmill submit: cannot reach the master at ${url} \\(\\w+\\) — is it running\\? \\(re-attaching for up to 300 s\\)`));
    expect(out).toMatch(new RegExp(`taskmill submit: re-attached to ${url} after \\d+\\.\\d s`));
    expect(out).toMatch(/^status: SUCCESS\nresult: \{"sum":44850,"count":300\}$/m);

    const tasks = await run(["tasks", "job-1", "--master", url, "--name", "T", "--limit", "100"]);
    expect(tasks.status, tasks.stderr).toBe(0);
    const lines = tasks.stdout.trim().split("\n");
    expect(lines).toHaveLength(300);
    expect(new Set(lines.map((l) => l.split(" ")[0])).size).toBe(300);
    expect(lines.every((l) => /^r\.0\.\d+ {2}SUCCESS {2}T /.test(l))).toBe(true);
    expect(tasks.stderr).toBe("");

    const watched = await run(["watch", "job-1", "--master", url]);
    expect(watched.status).toBe(0);
    expect(watched.stdout).toMatch(/^ROOT +█+ 100% {2}1\/1 \| T +█+ 100% {2}300\/300 \| REDUCE +█+ 100% {2}1\/1$/m);
    expect(watched.stdout).toMatch(/^status: SUCCESS$/m);
  });
});

describe("the master and worker commands' rough edges", () => {
  it("L14/L15/L16: a master without --processors warns it can run no job; --store sqlite: without a file is refused naming --store; a module with a syntax error is named with its file and line", { timeout: 60_000 }, async () => {
    const bare = taskmill(["master", "--port", "0", "--store", "memory"]);
    await bare.waitFor("master-ready");
    const warning = "taskmill master: no --processors given, so this master can run no job (a submit must name a loaded processor); give --processors MODULE";
    await poll(async () => (bare.output.includes(warning) ? true : undefined), 10_000);
    bare.child.kill("SIGTERM");
    const noFile = await run(["master", "--port", "0", "--store", "sqlite:"]);
    expect([noFile.status, noFile.stderr.split("\n")[0]]).toEqual([2, "taskmill master: --store: expected sqlite:FILE with a file name, like sqlite:taskmill.db, got 'sqlite:'"]);
    const bad = join(dir, "bad.mjs");
    writeFileSync(bad, "export const p = {\n  process(ctx) {\n    return { ok: true ;\n  },\n};\n");
    const importer = join(dir, "importer.mjs");
    writeFileSync(importer, `import { p } from "./bad.mjs";\nexport { p };\n`);
    const ran = join(dir, "ran.mjs");
    writeFileSync(ran, `export const p = { process: () => ({ ok: true }) };\nJSON.parse("{oops");\n`);
    const [broken, imported, thrown] = await Promise.all([bad, importer, ran].map((m) => run(["worker", "--master", url, "--processors", m])));
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain(`--processors: could not load ${bad}: SyntaxError: Unexpected token ';' at ${bad}:3\n    return { ok: true ;\n`);
    // The place is the file that does not parse, not the module named; a SyntaxError thrown while it ran is placed too.
    expect(imported.stderr).toContain(`--processors: could not load ${importer}: SyntaxError: Unexpected token ';' at ${bad}:3\n`);
    expect(thrown.stderr).toMatch(new RegExp(`--processors: could not load ${ran.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: SyntaxError: .* at ${ran.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2\n`));
  });

  it("L9: a worker whose master is down logs its failed attempts, each with the next attempt's time, and never its token", { timeout: 60_000 }, async () => {
    const port = await closedPort();
    const w = taskmill(["worker", "--master", `http://127.0.0.1:${port}`, "--processors", CHAOS_PROCESSORS, "--heartbeat-ms", "200"], { TASKMILL_TOKEN: "s3cret-worker" });
    const line = await w.waitFor("master-unreachable");
    expect(line).toMatchObject({ master: `http://127.0.0.1:${port}`, attempt: 1, error: "ECONNREFUSED" });
    expect(String(line.message)).toMatch(new RegExp(`^cannot reach the master at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\) — attempt 1, down for 0 s; next attempt at \\d\\d:\\d\\d:\\d\\d UTC \\(in 0\\.5 s\\)$`));
    expect(Date.parse(String(line.nextAttemptAt))).toBeGreaterThan(Date.now() - 60_000);
    w.child.kill("SIGTERM");
    await w.exited;
    expect(JSON.stringify(w.events) + w.output.join("\n")).not.toContain("s3cret-worker");
  });
});
