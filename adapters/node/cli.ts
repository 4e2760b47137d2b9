#!/usr/bin/env node
/**
 * The `taskmill` command.
 */
import { demo } from "./commands/demo.ts";

const HELP = `taskmill — a distributed Map/MapReduce job master

Usage: taskmill <command> [options]

Commands:
  demo [--n N] [--chunk C]   count the primes below N (default 1,000,000) with a
                             two-level MapReduce of N/C tasks (default C = 10)
  help                       show this help

Run 'taskmill <command> --help' for a command's options.`;

const DEMO_HELP = `Usage: taskmill demo [--n N] [--chunk C] [--workers W]

Runs a master with its own worker and W workers (default 2) in this process,
counts the primes below N (default 1,000,000) in N/C CHUNK tasks (C default 10)
over two map levels, shows live progress, and checks the answer with a sieve.
Exit code 0 only when the job succeeds with the right answer.`;

/** Parses `--name value` options; throws on an unknown option or a bad value. */
function options(args: string[], allowed: Record<string, "int">): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const name = a.startsWith("--") ? a.slice(2) : "";
    if (!(name in allowed)) throw new Error(`unknown option: ${a} (expected one of ${Object.keys(allowed).map((k) => `--${k}`).join(", ")})`);
    const v = Number(args[++i]);
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: Expected a positive integer, got ${JSON.stringify(args[i] ?? "nothing")}`);
    out[name] = v;
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") { console.log(HELP); return 0; }
  if (cmd === "demo") {
    if (rest.includes("--help")) { console.log(DEMO_HELP); return 0; }
    const o = options(rest, { n: "int", chunk: "int", workers: "int" });
    return demo(o);
  }
  console.error(`taskmill: unknown command "${cmd}"\n\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  console.error(`taskmill: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
