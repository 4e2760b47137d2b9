// The bench's child processes: `node dist/adapters/node/cli.js ARGS`, ready
// once they print their JSON ready event, always stopped — by the suite's
// finally blocks, or, when the bench ends abruptly, on its way out.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** A started process and its ready event. */
export interface CliProcess {
  /** "master", "w1", … */
  readonly name: string;
  readonly proc: ChildProcess;
  /** Its JSON ready event. */
  readonly ready: Record<string, unknown>;
}

/** How long a process may take to print its ready event. */
const READY_MS = 30_000;
/** Lines of a process's output kept for error messages. */
const TAIL = 40;

/**
 * Processes started and not yet exited. A bench that ends without reaching
 * its finally blocks (an uncaught error, process.exit, a closed stdout)
 * still kills them on its way out, so no cluster outlives it.
 */
const live = new Set<ChildProcess>();
process.on("exit", () => { for (const p of live) p.kill("SIGKILL"); });

/**
 * Starts `node NODE_ARGS CLI ARGS` (pushed onto `started` at once, so a caller can stop
 * it even when this rejects); resolves once it printed `{event: readyEvent}`,
 * rejects — with `suite: name …` and its last output lines — if it exits first
 * or stays silent for 30 s.
 * @param nodeArgs options of node itself, e.g. `--cpu-prof`.
 */
export function startCliProcess(
  suite: string, cli: string, name: string, args: readonly string[], readyEvent: string, started: ChildProcess[], env: NodeJS.ProcessEnv = process.env,
  nodeArgs: readonly string[] = [],
): Promise<CliProcess> {
  const proc = spawn(process.execPath, [...nodeArgs, cli, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  started.push(proc);
  live.add(proc);
  proc.once("exit", () => live.delete(proc));
  const tail: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${suite}: ${name} printed no ${readyEvent} within ${READY_MS / 1000} s; output:\n${tail.join("\n")}`)), READY_MS);
    for (const stream of [proc.stdout!, proc.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        if (line.startsWith("{")) {
          try {
            const e = JSON.parse(line) as Record<string, unknown>;
            if (e.event === readyEvent) { clearTimeout(timer); resolve({ name, proc, ready: e }); return; }
          } catch { /* not an event: kept below */ }
        }
        tail.push(`[${name}] ${line}`);
        if (tail.length > TAIL) tail.shift();
      });
    }
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${suite}: ${name} exited (${signal ?? `code ${code}`}) before it was ready; output:\n${tail.join("\n")}`));
    });
  });
}

/** Stops one process: SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
export function stopCliProcess(proc: ChildProcess, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const kill = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    proc.once("exit", () => { clearTimeout(kill); resolve(); });
    proc.kill("SIGTERM");
  });
}
