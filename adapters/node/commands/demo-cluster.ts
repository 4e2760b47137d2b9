import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The built CLI and the demo's processor module, next to this file in dist/. */
export const CLI = fileURLToPath(new URL("../cli.js", import.meta.url));
export const PRIMES_MODULE = fileURLToPath(new URL("../../../examples/primes.js", import.meta.url));

/** A child taskmill process and the JSON events it prints. */
export interface Child {
  proc: ChildProcess;
  /** Resolves with the first event named `name` (rejects if the process exits first). */
  ready: Promise<Record<string, unknown>>;
}

/** Starts `taskmill <args>` as a child process; its JSON lines are events, other output is passed through. */
export function startChild(args: string[], readyEvent: string, env: NodeJS.ProcessEnv = process.env): Child {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "inherit"], env });
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.on("line", (line) => {
      if (line.startsWith("{")) {
        try {
          const e = JSON.parse(line) as Record<string, unknown>;
          if (e.event === readyEvent) resolve(e);
          return;
        } catch { /* not an event */ }
      }
      process.stdout.write(line + "\n");
    });
    proc.once("exit", (code, signal) => reject(new Error(`taskmill ${args[0]} exited (${signal ?? code}) before it was ready`)));
  });
  return { proc, ready };
}

/** Stops children: SIGTERM, then SIGKILL after `graceMs`; resolves when all have exited. */
export async function stopChildren(children: readonly Child[], graceMs = 3000): Promise<void> {
  await Promise.all(children.map(({ proc }) => new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const kill = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    proc.once("exit", () => { clearTimeout(kill); resolve(); });
    proc.kill("SIGTERM");
  })));
}
