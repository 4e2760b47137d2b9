// Results files: bench/results/NAME.json, each row stamped with the machine
// it was measured on, so a number never travels without its context.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { cpus, availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where and when a benchmark ran. */
export interface MachineFacts {
  cpuModel: string;
  cores: number;
  node: string;
  date: string;
  /** HEAD of the repository, with "-dirty" when tracked files other than the bench's outputs changed; null outside git. */
  gitCommit: string | null;
  /** 1, 5 and 15 minute load averages at the start: other work on the machine skews figures. */
  loadAverage: number[];
}

/** The repository root: the nearest folder above this file holding package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("bench: no package.json above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

/** Facts about this machine and checkout, taken now. */
export function machineFacts(): MachineFacts {
  const root = repoRoot();
  const head = git(["rev-parse", "--short=12", "HEAD"], root);
  // The bench's own outputs (results files, the report, charts) do not make the measured code dirty:
  // a run after another run measures the same commit.
  const changed = (git(["status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench/results", ":(exclude)bench/RESULTS.md"], root) ?? "");
  const dirty = head !== null && changed !== "";
  return {
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    node: process.version,
    date: new Date().toISOString(),
    gitCommit: head === null ? null : dirty ? `${head}-dirty` : head,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** Writes `bench/results/NAME.json`: the rows, each with `machine` added; returns the path. */
export function writeResults(name: string, rows: readonly object[], machine: MachineFacts = machineFacts()): string {
  const dir = join(repoRoot(), "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  // Write then rename, so a reader never sees half a file.
  writeFileSync(`${file}.tmp`, JSON.stringify(rows.map((r) => ({ ...r, machine })), null, 2) + "\n");
  renameSync(`${file}.tmp`, file);
  return file;
}
