// The command line's parts, without processes: the flag tables and their usage,
// the master URL check, connection errors, the bars' order, the worker's reach log.
import { describe, it, expect } from "vitest";
import { parseArgs, usage, type CommandSpec } from "../../adapters/cli/flags.ts";
import { CLIENT_COMMANDS } from "../../adapters/cli/client-commands.ts";
import { MASTER_COMMAND, WORKER_COMMAND, DEMO_COMMAND } from "../../adapters/node/cli-flags.ts";
import { masterUrl, masterUrls } from "../../adapters/cli/master-url.ts";
import { connectionReason, UsageError } from "../../adapters/cli/cli-errors.ts";
import { ProgressBars } from "../../adapters/cli/progress-bars.ts";
import { reachLogged } from "../../adapters/cli/reach-log.ts";

const SPECS: CommandSpec[] = [MASTER_COMMAND, WORKER_COMMAND, DEMO_COMMAND, ...Object.values(CLIENT_COMMANDS)];

/** The usage line (every line before the first blank one), joined. */
const usageLine = (spec: CommandSpec) => usage("taskmill", spec).split("\n\n")[0]!.replace(/\s+/g, " ");

describe("L1 one table of flags per command", () => {
  it("L1: each command's usage line names every flag it accepts (but the hidden old spellings), its list explains each, and the parser takes each", () => {
    for (const spec of SPECS) {
      const line = usageLine(spec);
      const text = usage("taskmill", spec);
      for (const f of spec.flags) {
        const shown = `--${f.name}${f.arg ? ` ${f.arg}` : ""}`;
        if (!f.hidden) expect(line, `${spec.name} ${shown}`).toContain(shown);
        expect(text, `${spec.name} ${shown}`).toMatch(new RegExp(`^  ${shown.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} `, "m"));
        const args = f.arg ? [`--${f.name}`, "1"] : [`--${f.name}`];
        expect(parseArgs(spec, args).values[f.name], `${spec.name} ${shown}`).toEqual([f.arg ? "1" : "true"]);
      }
      expect(() => parseArgs(spec, ["--no-such-flag"])).toThrow(/unknown option --no-such-flag/);
    }
    // The flags issue 15 found missing from `master --help`.
    for (const f of ["--store-thread", "--slots N", "--max-body-bytes N", "--max-connections N", "--shared", "--advertise URL"]) expect(usageLine(MASTER_COMMAND)).toContain(f);
  });

  it("L1: a flag's value may follow it or an =; a flag that takes none refuses one; a missing value and a stray argument are named", () => {
    const spec = CLIENT_COMMANDS.tasks;
    expect(parseArgs(spec, ["abc", "--status=FAILED", "--name", "T", "--page"])).toEqual({ values: { status: ["FAILED"], name: ["T"], page: ["true"] }, positionals: ["abc"] });
    expect(() => parseArgs(spec, ["--page=yes"])).toThrow("--page takes no value, got 'yes'");
    expect(() => parseArgs(spec, ["abc", "--limit"])).toThrow("--limit needs a value (N)");
    expect(() => parseArgs(spec, ["abc", "def"])).toThrow("unexpected argument 'def' (Expected one ID)");
    expect(() => parseArgs(CLIENT_COMMANDS.submit, ["abc"])).toThrow("unexpected argument 'abc' (submit takes only flags)");
    expect(parseArgs(CLIENT_COMMANDS.submit, ["--master", "http://a:1", "--master=http://b:2"]).values.master).toEqual(["http://a:1", "http://b:2"]);
  });
});

describe("L2 the master's URL", () => {
  it("L2: --master must be an http(s) base URL: no scheme and a path are refused naming the flag, what was expected and what was given", () => {
    expect(() => masterUrl("--master", "localhost:7070")).toThrow(new UsageError("--master: expected an http(s) URL like http://127.0.0.1:7070, got 'localhost:7070'"));
    expect(() => masterUrl("--master", "ftp://h:1")).toThrow("--master: expected an http(s) URL like http://127.0.0.1:7070, got 'ftp://h:1'");
    expect(() => masterUrl("--master", "http://127.0.0.1:7070/api")).toThrow("--master: expected the master's base URL with no path, like http://127.0.0.1:7070, got 'http://127.0.0.1:7070/api'");
    expect(() => masterUrl("--master", "http://h:1/?x=1")).toThrow(/no path/);
    expect(() => masterUrl("--master", "http://u:secret@h:1")).toThrow(/without a user or password/);
    expect(() => masterUrl("--master", "http://u:secret@h:1/api")).toThrow("--master: expected a URL without a user or password (give the token with --token-file), got 'http://…@h:1'");
    expect(masterUrl("--master", "HTTP://Example.com:7070/")).toBe("http://example.com:7070");
    // A worker's master (and --advertise) may sit behind a proxy under a path; the scheme is still required.
    expect(masterUrl("--master", "https://proxy.example/taskmill/", { allowPath: true })).toBe("https://proxy.example/taskmill");
    expect(() => masterUrl("--master", "proxy.example/taskmill", { allowPath: true })).toThrow("--master: expected an http(s) URL like http://127.0.0.1:7070, got 'proxy.example/taskmill'");
  });

  it("L11: the URLs come from --master (repeated or comma-separated), else TASKMILL_MASTER, whose mistakes name TASKMILL_MASTER; neither is a usage error", () => {
    expect(masterUrls(["http://a:1,http://b:2", "http://a:1"], "http://env:3")).toEqual(["http://a:1", "http://b:2"]);
    expect(masterUrls(undefined, " http://env:3 ")).toEqual(["http://env:3"]);
    expect(() => masterUrls(undefined, "env:3")).toThrow("TASKMILL_MASTER: expected an http(s) URL like http://127.0.0.1:7070, got 'env:3'");
    expect(() => masterUrls([], undefined)).toThrow("--master is required (or set TASKMILL_MASTER), e.g. --master http://127.0.0.1:7070");
  });

  it("L2: a connection error is said as its system code: Node's (in cause, or cause.errors), or Deno's words", () => {
    const node = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) });
    expect(connectionReason(node)).toBe("ECONNREFUSED");
    const both = new TypeError("fetch failed", { cause: new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]) });
    expect(connectionReason(both)).toBe("ECONNREFUSED");
    expect(connectionReason(new TypeError("error sending request for url (http://127.0.0.1:9/x): client error (Connect): tcp connect error: Connection refused (os error 111)"))).toBe("ECONNREFUSED");
    expect(connectionReason(new TypeError("fetch failed", { cause: new Error("other side closed") }))).toBe("ECONNRESET");
    expect(connectionReason(new TypeError("fetch failed", { cause: new Error("something new") }))).toBe("fetch failed: something new");
  });
});

describe("L17 the terminal bars", () => {
  it("L17: task names are drawn in the order they first appeared, REDUCE last, whatever order an update lists them in", () => {
    const lines: string[] = [];
    const bars = new ProgressBars({ write: (t: string) => lines.push(t.trimEnd()), isTTY: false });
    const n = (total: number) => ({ total, init: total, pulled: 0, running: 0, success: 0, failed: 0 });
    bars.render({ names: { ROOT: n(1) } });
    bars.render({ names: { REDUCE: n(1), CHUNK: n(4), ROOT: n(1) } });
    bars.render({ names: { ALPHA: n(2), REDUCE: n(1), ROOT: n(1), CHUNK: n(4) } });
    expect(lines.map((l) => l.split(" | ").map((r) => r.split(" ")[0]))).toEqual([["ROOT"], ["ROOT", "CHUNK", "REDUCE"], ["ROOT", "CHUNK", "ALPHA", "REDUCE"]]);
  });
});

describe("L9 a worker's log of a master it cannot reach", () => {
  it("L9: the first failed attempt is logged with the next attempt's time, then at most one line per 10 s (with the attempt's number), and one line when the master answers again; no header, so no token", async () => {
    let t = Date.UTC(2026, 0, 1, 12, 0, 0);
    let up = false;
    const lines: Array<Record<string, unknown>> = [];
    const refuse = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:7070"), { code: "ECONNREFUSED" });
    const inner = async (_input: string | URL | Request, _init?: RequestInit) => {
      if (!up) throw new TypeError("fetch failed", { cause: refuse });
      return new Response("{}");
    };
    const f = reachLogged(inner as typeof fetch, { masters: ["http://m:7070"], retryMs: 500, heartbeatMs: 1000, log: (l) => lines.push(l), now: () => t });
    const send = (path: string) => f(`http://m:7070${path}`, { method: "POST", headers: { authorization: "Bearer s3cret" }, body: "{}" }).catch(() => undefined);
    await send("/workers/register");
    expect(lines).toEqual([{
      event: "master-unreachable", master: "http://m:7070", attempt: 1, error: "ECONNREFUSED", nextAttemptAt: "2026-01-01T12:00:00.500Z",
      message: "cannot reach the master at http://m:7070 (ECONNREFUSED) — attempt 1, down for 0 s; next attempt at 12:00:00 UTC (in 0.5 s)",
    }]);
    for (let i = 0; i < 20; i++) { t += 500; await send("/workers/register"); }
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ attempt: 21, nextAttemptAt: "2026-01-01T12:00:10.500Z" });
    t += 1000;
    await send("/workers/heartbeat");
    expect(lines).toHaveLength(2);
    t += 9000;
    await send("/workers/heartbeat");
    expect(lines[2]).toMatchObject({ attempt: 23, nextAttemptAt: "2026-01-01T12:00:21.000Z" });
    await f("http://elsewhere:1/x").catch(() => undefined); // not a master's: not watched
    expect(lines).toHaveLength(3);
    up = true;
    await send("/workers/register");
    expect(lines[3]).toMatchObject({ event: "master-reachable", master: "http://m:7070", afterAttempts: 23, downForMs: 20_000 });
    expect(JSON.stringify(lines)).not.toContain("s3cret");
  });
});
