// X3 (first half), for real: a master on the SQLite store with in-process
// workers runs as a child process, is SIGKILLed mid-instance, and a new
// process on the same file resumes and finishes it — exact counters, the
// right reduce result, no child stored or counted twice. The child is the
// compiled fixture (npm test builds first; this file builds nothing).
import { describe, it, expect, afterAll } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SqliteStore } from "../../adapters/node/sqlite/index.ts";
import type { PrimesParams } from "../../examples/primes.ts";
import { countPrimesBySieve } from "../../examples/sieve.ts";
import type { InstanceView } from "../../src/master/master.ts";
import type { NameProgress } from "../../src/store/task-store.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ENTRY = join(ROOT, "dist", "test", "fixtures", "durable-master.js");
const SOURCE = join(ROOT, "test", "fixtures", "durable-master.ts");

/**
 * 2,000 CHUNK tasks under 4 RANGE tasks that stay running 3 s after mapping
 * theirs; CHUNKs go out at 400/s. A kill at a tenth of the CHUNKs (~0.5 s
 * in) finds the RANGEs running with their children stored.
 */
const PARAMS: PrimesParams = { n: 200_000, ranges: 4, chunk: 100, rangeMs: 3000 };
const CHUNKS = PARAMS.n / PARAMS.chunk;
/** No wait below may take longer than this. */
const STEP_MS = 30_000;

interface Line {
  event: string;
  [k: string]: unknown;
}

/** A running fixture: its stdout lines as they come, and a way to wait for one. */
class Child {
  readonly proc: ChildProcess;
  readonly lines: Line[] = [];
  #stderr = "";
  #exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  #waiters: Array<() => void> = [];

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [ENTRY, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    createInterface({ input: this.proc.stdout! }).on("line", (text) => {
      try {
        this.lines.push(JSON.parse(text) as Line);
      } catch {
        this.lines.push({ event: "text", text });
      }
      this.#wake();
    });
    this.proc.stderr!.on("data", (d: Buffer) => { this.#stderr += d.toString(); });
    this.proc.on("exit", (code, signal) => {
      this.#exit = { code, signal };
      this.#wake();
    });
  }

  /** The first line (from the start) matching `pred`; rejects if the child exits first or STEP_MS pass. */
  async line(what: string, pred: (l: Line) => boolean): Promise<Line> {
    const deadline = Date.now() + STEP_MS;
    for (;;) {
      const found = this.lines.find(pred);
      if (found) return found;
      if (this.#exit) throw new Error(`the master exited (${JSON.stringify(this.#exit)}) before ${what}; stderr:\n${this.#stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${STEP_MS} ms; stderr:\n${this.#stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Resolves with the exit once the child is gone. */
  async exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    await this.line("exit", () => false).catch(() => undefined);
    if (!this.#exit) throw new Error(`the master did not exit within ${STEP_MS} ms`);
    return this.#exit;
  }

  get stderr(): string {
    return this.#stderr;
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

const children: Child[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function start(args: string[]): Child {
  const c = new Child(args);
  children.push(c);
  return c;
}

const chunkSuccess = (l: Line): number => ((l.names as Record<string, NameProgress> | undefined)?.CHUNK?.success ?? 0);

describe("X3 master restart on SQLite (real processes)", () => {
  it("X3: a master SIGKILLed mid-instance and restarted on the same file finishes it: exact counters, the right reduce result, no child duplicated", { timeout: 90_000 }, async () => {
    if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build\` first (npm test does)`);
    if (statSync(SOURCE).mtimeMs > statSync(ENTRY).mtimeMs) throw new Error(`${ENTRY} is older than ${SOURCE}: run \`npm run build\``);
    const dir = mkdtempSync(join(tmpdir(), "taskmill-durable-"));
    dirs.push(dir);
    const db = join(dir, "taskmill.db");

    // First life: submit, let some of the CHUNK tasks finish, then SIGKILL.
    const first = start(["--db", db, "--submit", JSON.stringify(PARAMS)]);
    const submitted = await first.line("submitted", (l) => l.event === "submitted");
    const id = submitted.instanceId as string;
    const mid = await first.line("a tenth of the CHUNK tasks done", (l) => l.event === "progress" && chunkSuccess(l) >= CHUNKS / 10);
    first.proc.kill("SIGKILL");
    expect((await first.exited()).signal).toBe("SIGKILL");
    expect(first.lines.some((l) => l.event === "done")).toBe(false);
    expect(chunkSuccess(mid)).toBeLessThan(CHUNKS);

    // What the killed master left in the file: running, owned by it, part done.
    const seen = new SqliteStore(db);
    const left = await seen.getInstance(id);
    expect(left?.status).toBe("RUNNING");
    expect(left?.fence).toBe(1);
    const counts = await seen.countByStatus(id);
    const count = (name: string, statuses: number[]) =>
      counts.filter((c) => c.name === name && statuses.includes(c.status)).reduce((a, c) => a + c.count, 0);
    const doneAtKill = count("CHUNK", [4]);
    expect(doneAtKill).toBeGreaterThan(0);
    expect(doneAtKill).toBeLessThan(CHUNKS);
    // Every CHUNK is stored once already; the parents that mapped them are still running and will run again
    // (their rows stay INIT: dispatch writes no row, B3).
    expect(count("CHUNK", [1, 2, 3, 4, 5])).toBe(CHUNKS);
    expect(count("RANGE", [1])).toBeGreaterThan(0);
    expect(count("RANGE", [2, 3])).toBe(0);
    await seen.close();

    // Second life: the same file, nothing submitted: it resumes and finishes.
    const second = start(["--db", db]);
    const ready = await second.line("ready", (l) => l.event === "ready");
    expect(ready.resumed).toEqual([id]);
    const rebuilt = (ready.counters as Array<Record<string, NameProgress>>)[0]!;
    expect(rebuilt.CHUNK!.success).toBe(doneAtKill); // counters rebuilt from the store, not from zero
    for (const n of Object.values(rebuilt)) expect(n.total).toBe(n.init + n.pulled + n.running + n.success + n.failed);
    const done = await second.line("done", (l) => l.event === "done");
    expect(await second.exited()).toEqual({ code: 0, signal: null });

    const view = done.view as InstanceView;
    expect(view.status).toBe("SUCCESS");
    // The parents ran again and mapped their children again: each CHUNK is still stored and counted
    // once — the reduce saw every CHUNK row exactly once and the sum is a sieve's.
    expect(view.result).toEqual({ primes: countPrimesBySieve(PARAMS.n), chunks: CHUNKS });
    const names = view.progress!.names;
    const final = (total: number): NameProgress => ({ total, init: 0, pulled: 0, running: 0, success: total, failed: 0 });
    expect(names.ROOT).toEqual(final(1));
    expect(names.RANGE).toEqual(final(PARAMS.ranges));
    expect(names.CHUNK).toEqual(final(CHUNKS));
    for (const [name, n] of Object.entries(names)) expect(n, name).toEqual(final(n.total));

    // The file agrees: final record kept, owned by the second master, tasks cleared.
    const after = new SqliteStore(db);
    const rec = await after.getInstance(id);
    expect(rec?.status).toBe("SUCCESS");
    expect(rec?.fence).toBe(2);
    expect(rec?.owner).toBe(`durable-master-${second.proc.pid}`);
    expect(rec?.result).toEqual(view.result);
    expect(rec?.progress?.names).toEqual(names);
    expect(await after.maxSeq(id)).toBe(-1);
    await after.close();
  });

  it("B21: a retry waiting its delay when the master is SIGKILLed survives: the restarted master runs it once the stored delay has passed", { timeout: 90_000 }, async () => {
    if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build\` first (npm test does)`);
    const dir = mkdtempSync(join(tmpdir(), "taskmill-durable-"));
    dirs.push(dir);
    const db = join(dir, "taskmill.db");

    // First life: T0 fails its first run; the master stores its retry, due 3 s later, and is killed before.
    const first = start(["--db", db, "--submit-flaky"]);
    const id = (await first.line("submitted", (l) => l.event === "submitted")).instanceId as string;
    const failedRun = await first.line("T0's first run", (l) => l.event === "run" && l.taskId === "r.0.0");
    await first.line("every other T done", (l) => l.event === "progress" && ((l.names as Record<string, NameProgress>).T?.success ?? 0) === 19);
    first.proc.kill("SIGKILL");
    expect((await first.exited()).signal).toBe("SIGKILL");

    // The file holds the wait: T0 is INIT, one failure, its error, and the time it may run again.
    const seen = new SqliteStore(db);
    const t0 = await seen.getTask(id, "r.0.0");
    expect(t0).toMatchObject({ status: 1, failures: 1, error: { message: "T0 fails its first run" } });
    expect(t0!.notBefore).toBeGreaterThanOrEqual((failedRun.at as number) + 3000 - 50);
    await seen.close();

    // Second life: T0 runs again — not before the stored time — and the job succeeds with exact counters.
    const second = start(["--db", db]);
    expect((await second.line("ready", (l) => l.event === "ready")).resumed).toEqual([id]);
    const rerun = await second.line("T0's second run", (l) => l.event === "run" && l.taskId === "r.0.0");
    expect(rerun.at as number).toBeGreaterThanOrEqual(t0!.notBefore!);
    const done = await second.line("done", (l) => l.event === "done");
    const view = done.view as InstanceView;
    expect(view.status).toBe("SUCCESS");
    expect(view.result).toEqual({ sum: 190, ok: 20 });
    expect(view.progress!.names.T).toEqual({ total: 20, init: 0, pulled: 0, running: 0, success: 20, failed: 0 });
    // T0 ran twice in all: its failed first run, then once more.
    expect([...first.lines, ...second.lines].filter((l) => l.event === "run" && l.taskId === "r.0.0")).toHaveLength(2);
  });
});
