// Benchmark entry: `node dist/bench/run.js [suite ...] [--rounds=N] [--round-ms=N] [--warmup-ms=N] [--same-isolate] [--sizes=N,N] [--pg-sizes=N,N|none] [--parts=NAME,NAME] [--store-thread] [--cpu-prof=DIR]`.
// No suite name runs every suite but the opt-in ones (restart, takeover, map1m). A new suite is one file exporting a Suite,
// plus one line in SUITES below.
import { coreSuite } from "./core.ts";
import { storeSuite } from "./store.ts";
import { e2eSuite } from "./e2e.ts";
import { peersSuite } from "./peers.ts";
import { scaleSuite } from "./scale.ts";
import { restartSuite } from "./restart.ts";
import { takeoverSuite } from "./takeover.ts";
import { map1mSuite } from "./map1m.ts";
import { formatTable } from "./lib/table.ts";
import { machineFacts, writeResults } from "./lib/results.ts";
import type { BenchOptions, Suite } from "./lib/suite.ts";

/** Every suite, in the order a full run goes: e2e before peers, whose ratio reads bench/results/e2e.json. */
const SUITES: readonly Suite[] = [coreSuite, storeSuite, e2eSuite, peersSuite, scaleSuite, restartSuite, takeoverSuite, map1mSuite];

const FLAGS: Record<string, keyof BenchOptions> = { "--rounds": "rounds", "--round-ms": "roundMs", "--warmup-ms": "warmupMs" };

function usage(): string {
  return `usage: npm run bench -- [suite ...] [--rounds=N] [--round-ms=N] [--warmup-ms=N] [--same-isolate] [--sizes=N,N] [--pg-sizes=N,N|none] [--parts=NAME,NAME] [--store-thread] [--cpu-prof=DIR]\n` +
    `  --sizes   problem sizes of the suites that take them (e2e: sub-tasks per job)\n` +
    `  --pg-sizes  e2e: sizes run again with the master on PostgreSQL (default: 100000 when --sizes has it; 1000000 is opt-in, slow), none for none\n` +
    `  --store-thread  e2e: the throughput and scaling rows with the master's SQLite on a thread of its own (rows say storeThread)\n` +
    `  --cpu-prof  e2e: write a CPU profile of the master and each worker of every throughput run under DIR (node --cpu-prof)\n` +
    `  --parts   measurements of a suite to run (e2e: throughput, scaling, latency, dispatchSpeed, recovery)\nsuites:\n` +
    SUITES.map((s) => `  ${s.name.padEnd(8)} ${s.summary}`).join("\n");
}

/** Splits argv into suites to run and options; throws with the usage on anything unknown. */
function parseArgs(argv: readonly string[]): { suites: Suite[]; options: Partial<BenchOptions> } {
  const options: Partial<BenchOptions> = {};
  const names: string[] = [];
  for (const arg of argv) {
    if (arg === "-h" || arg === "--help") throw new Error(usage());
    if (arg === "--same-isolate") { options.isolate = false; continue; }
    if (arg === "--store-thread") { options.storeThread = true; continue; }
    if (arg.startsWith("--sizes=")) {
      const sizes = arg.slice("--sizes=".length).split(",").map((x) => Number(x.replace(/_/g, "")));
      if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bench: --sizes: Expected integers >= 1 separated by commas, got ${JSON.stringify(arg.slice(8))}\n${usage()}`);
      options.sizes = sizes;
      continue;
    }
    if (arg.startsWith("--pg-sizes=")) {
      const text = arg.slice("--pg-sizes=".length);
      const sizes = text === "none" ? [] : text.split(",").map((x) => Number(x.replace(/_/g, "")));
      if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bench: --pg-sizes: Expected integers >= 1 separated by commas, or none, got ${JSON.stringify(text)}\n${usage()}`);
      options.postgresSizes = sizes;
      continue;
    }
    if (arg.startsWith("--cpu-prof=")) {
      const dir = arg.slice("--cpu-prof=".length);
      if (dir === "") throw new Error(`bench: --cpu-prof: Expected a folder, got nothing\n${usage()}`);
      options.cpuProfDir = dir;
      continue;
    }
    if (arg.startsWith("--parts=")) {
      options.parts = arg.slice("--parts=".length).split(",").filter((x) => x !== "");
      continue;
    }
    if (arg.startsWith("--")) {
      const [flag, value] = arg.split("=", 2) as [string, string | undefined];
      const key = FLAGS[flag];
      const n = Number(value);
      if (key === undefined || value === undefined || !Number.isFinite(n)) throw new Error(`bench: bad option ${arg}\n${usage()}`);
      (options as Record<string, number>)[key] = n;
    } else {
      names.push(arg);
    }
  }
  const unknown = names.filter((n) => !SUITES.some((s) => s.name === n));
  if (unknown.length > 0) {
    throw new Error(`bench: unknown suite ${unknown.map((n) => JSON.stringify(n)).join(", ")}; the suites are: ${SUITES.map((s) => s.name).join(", ")}\n${usage()}`);
  }
  const suites = names.length === 0 ? SUITES.filter((s) => !s.optIn) : SUITES.filter((s) => names.includes(s.name));
  return { suites, options };
}

async function main(argv: readonly string[]): Promise<void> {
  const { suites, options } = parseArgs(argv);
  const machine = machineFacts();
  console.log(`${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, ${machine.date}, commit ${machine.gitCommit ?? "?"}`);
  for (const suite of suites) {
    console.log(`\n== ${suite.name}: ${suite.summary}`);
    const result = await suite.run({ ...options, log: (line) => console.error(line) });
    console.log(formatTable(result.table));
    for (const note of result.notes ?? []) console.log(`  ${note}`);
    console.log(`  wrote ${writeResults(suite.name, result.rows, machine)}`);
  }
  // RESULTS.md from every results file: the ones just written and older ones of suites not run now.
  console.log(`\nwrote ${(await import("./report/index.ts")).generateReport().markdownFile}`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
