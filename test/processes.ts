// Real taskmill processes for the multi-process tests: `node dist/adapters/node/cli.js …`.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
/** The built CLI. */
export const CLI = `${root}dist/adapters/node/cli.js`;
/** The built test processors. */
export const CHAOS_PROCESSORS = `${root}dist/test/fixtures/chaos-processors.js`;
/** The built processor module written as a third party would, whose tasks fail, hang or are flaky on purpose. */
export const FLAKY_PROCESSORS = `${root}dist/test/fixtures/flaky-processors.js`;

/** Throws a clear message when the build is missing (npm test builds first). */
export function requireBuild(): void {
  for (const f of [CLI, CHAOS_PROCESSORS, FLAKY_PROCESSORS]) if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first (npm test does)`);
}

/** A running taskmill process. */
export interface Proc {
  child: ChildProcess;
  /** JSON events printed so far. */
  events: Array<Record<string, unknown>>;
  /** Everything else printed. */
  output: string[];
  /** Resolves with the first event named `name`. */
  waitFor(name: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

const all = new Set<ChildProcess>();

/** Starts `taskmill <args>`. */
export function taskmill(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  return spawnProc(process.execPath, [CLI, ...args], env);
}

/** Starts any command that prints JSON event lines (e.g. the Deno CLI), watched and killed like `taskmill`. */
export function spawnProc(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  all.add(child);
  const events: Array<Record<string, unknown>> = [];
  const output: string[] = [];
  const waiters: Array<() => void> = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      if (line.startsWith("{")) {
        try { events.push(JSON.parse(line) as Record<string, unknown>); } catch { output.push(line); }
      } else output.push(line);
      for (const w of waiters.splice(0)) w();
    });
  }
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => { all.delete(child); for (const w of waiters.splice(0)) w(); r(code); }));
  return {
    child, events, output, exited,
    waitFor(name, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${name}" event within ${timeoutMs} ms; output:\n${output.join("\n")}`)), timeoutMs);
        const check = () => {
          const e = events.find((x) => x.event === name);
          if (e) { clearTimeout(timer); resolve(e); return; }
          if (child.exitCode !== null || child.signalCode !== null) { clearTimeout(timer); reject(new Error(`process exited before "${name}"; output:\n${output.join("\n")}`)); return; }
          waiters.push(check);
        };
        check();
      });
    },
  };
}

/** Kills every process started by `taskmill` or `spawnProc` that is still running. */
export async function killAll(): Promise<void> {
  await Promise.all([...all].map((c) => new Promise<void>((r) => {
    if (c.exitCode !== null || c.signalCode !== null) return r();
    c.once("exit", () => r());
    c.kill("SIGCONT");
    c.kill("SIGKILL");
  })));
}

/** Polls `fn` every `everyMs` until it returns a value that is not undefined. */
export async function poll<T>(fn: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Submits a job to a master over HTTP; resolves with the instance id, throws with the status and error otherwise. */
export async function submitJob(url: string, processor: string, params: unknown, settings: unknown): Promise<string> {
  const res = await fetch(`${url}/api/instances`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ processor, params, settings }) });
  const body = await res.json() as { instanceId: string; error?: string };
  if (res.status !== 201) throw new Error(`submit: ${res.status} ${body.error}`);
  return body.instanceId;
}

/** A master's view of an instance (`GET /api/instances/:id`), or undefined when it is unknown or the master does not answer. */
export async function viewInstance<V>(url: string, id: string): Promise<V | undefined> {
  try {
    const r = await fetch(`${url}/api/instances/${id}`);
    return r.status === 200 ? await r.json() as V : undefined;
  } catch {
    return undefined;
  }
}

/** Temporary directories of one test file: `make()` one, `removeAll()` after each test. */
export function tempDirs(prefix: string): { make(): string; removeAll(): void } {
  const dirs: string[] = [];
  return {
    make() {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    removeAll() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}
