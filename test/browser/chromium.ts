/**
 * Helpers of the browser tests: find (or install once) Chromium, launch it
 * headless through playwright-core, bundle a page entry with rolldown, and
 * serve a folder on 127.0.0.1. Shared by every test under test/browser/.
 *
 * Chromium comes from apt (`apt-get install -y chromium`, TOOLCHAIN.md), never
 * from `playwright install`. When it is missing: under CI=true the tests fail;
 * elsewhere one install is tried, then the tests skip with the reason.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";
import { chromium, type Browser, type Page } from "playwright-core";
import { staticFiles, staticListener, type StaticFile } from "../../adapters/node/sim-ui.ts";

/** The repository's root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
/** Where browser tests save screenshots (gitignored). */
export const ARTIFACTS = join(ROOT, "test-artifacts");
export const CHROMIUM_PATH = "/usr/bin/chromium";
/** Flags from TOOLCHAIN.md: no sandbox (root in a container), no GPU, no network chatter. */
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Chromium is there, or why the test must skip. */
export type ChromiumCheck = { ok: true; path: string } | { ok: false; reason: string };

let checked: ChromiumCheck | undefined;

/**
 * Finds Chromium. Missing under CI=true: throws (the test fails). Missing
 * elsewhere: tries `apt-get update && apt-get install -y chromium` once per
 * process, then reports the reason to skip, also on stderr so it is not missed.
 */
export function chromiumCheck(): ChromiumCheck {
  if (checked) return checked;
  if (existsSync(CHROMIUM_PATH)) return (checked = { ok: true, path: CHROMIUM_PATH });
  if (process.env.CI === "true") {
    throw new Error(`${CHROMIUM_PATH} is missing under CI=true: .ci/run installs it with apt-get install -y chromium`);
  }
  const r = spawnSync("sh", ["-c", "apt-get update -qq && apt-get install -y -qq chromium"], { encoding: "utf8", timeout: 240_000 });
  if (existsSync(CHROMIUM_PATH)) return (checked = { ok: true, path: CHROMIUM_PATH });
  const why = (r.error?.message ?? (r.stderr || r.stdout).trim().split("\n").pop()) || `exit ${r.status}`;
  const reason = `SKIPPED: ${CHROMIUM_PATH} is missing and \`apt-get install -y chromium\` failed (${why})`;
  console.warn(`\n*** browser tests ${reason} ***\n`);
  return (checked = { ok: false, reason });
}

/** Launches headless Chromium with the TOOLCHAIN flags. */
export function launchChromium(path = CHROMIUM_PATH): Promise<Browser> {
  return chromium.launch({ executablePath: path, args: CHROMIUM_ARGS, headless: true });
}

/** Forwards the page's console errors and uncaught exceptions to `sink` (and returns it). */
export function collectPageErrors(page: Page, sink: string[] = []): string[] {
  page.on("pageerror", (e) => sink.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") sink.push(`console.error: ${m.text()}`); });
  return sink;
}

/** A served folder. */
export interface Served {
  /** Base URL with a trailing slash, e.g. http://127.0.0.1:41234/ */
  url: string;
  close(): Promise<void>;
}

/** Serves `files` (or every file of a folder) under `prefix` on 127.0.0.1, on a free port. */
export async function serveStatic(files: string | readonly StaticFile[], prefix = ""): Promise<Served> {
  const list = typeof files === "string" ? await staticFiles(files) : files;
  const server = createServer(staticListener(list, prefix));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * Bundles a page entry for the browser (ESM) into `outFile`. Imports rolldown
 * cannot resolve fail the bundle instead of being left external.
 */
export async function bundle(entry: string, outFile: string, alias: Record<string, string> = {}): Promise<void> {
  await mkdir(dirname(outFile), { recursive: true });
  const problems: string[] = [];
  await build({
    input: entry,
    platform: "browser",
    resolve: { alias },
    logLevel: "warn",
    onLog: (level, log) => {
      if (log.code === "UNRESOLVED_IMPORT" || level === "warn") problems.push(`${log.code ?? level}: ${log.message}`);
    },
    output: { file: outFile, format: "esm", sourcemap: false },
  });
  if (problems.length > 0) throw new Error(`bundling ${entry}:\n${problems.join("\n")}`);
}

/** A fresh temporary folder; remove it with `rm`. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
