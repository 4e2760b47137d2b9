// The package as its users get it: packed, installed into a new project, used through its public imports only.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/**
 * A lockfile for a project depending only on the tarball: the package's entry, then every
 * non-dev entry of the repository's own lockfile (the package's dependencies, where npm ci
 * put them). npm's cache holds the tarballs CI's `npm ci` fetched but not the registry's
 * metadata, so an offline install must resolve from a lockfile, as `npm ci` does.
 */
function lockfileFor(tarball: string): string {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; link?: boolean }> };
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<string, unknown>;
  const packages: Record<string, unknown> = {
    "": { name: "taskmill-user", dependencies: { taskmill: `file:${tarball}` } },
    "node_modules/taskmill": {
      version: pkg.version, resolved: `file:${tarball}`, license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path.startsWith("node_modules/") && !entry.dev && !entry.link) packages[path] = entry;
  }
  return JSON.stringify({ name: "taskmill-user", lockfileVersion: 3, requires: true, packages }, null, 1);
}

describe("the published package", () => {
  it("K2: the tarball holds dist without bench, tests or source maps, the docs, README and the Apache-2.0 LICENSE; the package is publishable", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<string, unknown>;
    expect(pkg.private).toBeUndefined();
    expect(pkg.license).toBe("Apache-2.0");
    expect(Object.keys(pkg.exports as object)).toEqual(expect.arrayContaining([".", "./node", "./client", "./browser"]));
    const license = readFileSync(join(root, "LICENSE"), "utf8");
    expect(license).toContain("Apache License");
    expect(license).toContain("Version 2.0, January 2004");
    expect(license).toContain("END OF TERMS AND CONDITIONS");
    const packed = JSON.parse(execFileSync(npm, ["pack", "--dry-run", "--ignore-scripts", "--json"], { cwd: root, encoding: "utf8" })) as Array<{ files: Array<{ path: string }> }>;
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json", "docs/processors.md", "docs/behaviour.md", "dist/adapters/node/cli.js"]));
    expect(files.filter((f) => f.startsWith("dist/bench/") || f.startsWith("dist/test/") || f.endsWith(".map"))).toEqual([]);
    // Every export's files are in it: what the exports map names, a user can import.
    for (const target of Object.values(pkg.exports as Record<string, string | Record<string, string>>)) {
      for (const file of typeof target === "string" ? [target] : Object.values(target)) expect(files).toContain(file.replace(/^\.\//, ""));
    }
  });

  it("K1: packed, installed offline into a new project and used through taskmill, taskmill/node and taskmill/client only, it runs a job on SQLite over HTTP with two workers", { timeout: 120_000 }, () => {
    if (!existsSync(join(root, "dist/src/client/index.js"))) throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
    const dir = mkdtempSync(join(tmpdir(), "taskmill-pack-"));
    try {
      // --ignore-scripts: dist/ is built already (prepack would build it again).
      const packed = JSON.parse(execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: root, encoding: "utf8" })) as Array<{ filename: string; files: Array<{ path: string }> }>;
      const files = packed[0]!.files.map((f) => f.path);
      // K2 checks the tarball's contents in detail; the install below needs the entry points.
      expect(files).toEqual(expect.arrayContaining(["dist/src/index.js", "dist/adapters/node/index.js", "dist/src/client/index.js"]));
      const tarball = join(dir, packed[0]!.filename);
      const project = join(dir, "project");
      mkdirSync(project);
      writeFileSync(join(project, "package.json"), JSON.stringify({ name: "taskmill-user", private: true, type: "module", dependencies: { taskmill: `file:${tarball}` } }));
      writeFileSync(join(project, "package-lock.json"), lockfileFor(tarball));
      // better-sqlite3 compiles from source on install (~60 s on 2 cores): --ignore-scripts skips
      // that, and the addon the repository built — same version (the lockfile pins it), same Node —
      // is copied into the install instead.
      execFileSync(npm, ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", tarball], { cwd: project, encoding: "utf8", stdio: "pipe" });
      const addon = "node_modules/better-sqlite3/build/Release/better_sqlite3.node";
      mkdirSync(join(project, "node_modules/better-sqlite3/build/Release"), { recursive: true });
      copyFileSync(join(root, addon), join(project, addon));
      for (const f of readdirSync(fileURLToPath(new URL("installed/", import.meta.url)))) copyFileSync(fileURLToPath(new URL(`installed/${f}`, import.meta.url)), join(project, f));

      const out = JSON.parse(execFileSync(process.execPath, ["run.mjs"], { cwd: project, encoding: "utf8", timeout: 60_000 })) as Record<string, unknown>;
      expect(out.storeKind).toBe("sqlite");
      expect(out.submitted).toBe(true);
      expect(out.status).toBe("SUCCESS");
      expect(out.result).toBe(out.expected);
      expect(out.numDone).toBe(300);
      expect(out.watchLastStatus).toBe("SUCCESS");
      expect(out.watchViews).toBeGreaterThanOrEqual(2);
      expect(out.workersUsed).toEqual(["w1", "w2"]);
      expect(out.listed).toBe(true);
      expect(out.taskPage).toBe(5);
      expect(out.unknown).toEqual({ isClientError: true, status: 404, field: "id", namesUrl: true });
      expect(out.memoryStore).toBe("memory");
      expect(out.badOption).toBe("slots: Expected an integer >= 1, got 0");
      expect(out.ignoredExportWarned).toBe(true);
      expect(out.unreachable).toMatch(/^cannot reach the master at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\) — is it running\?$/);
      // The job really ran on SQLite: the file the store URL names exists.
      expect(existsSync(join(project, "jobs.db"))).toBe(true);
      // The command comes with it: npx taskmill runs the installed bin.
      expect(execFileSync(join(project, "node_modules/.bin/taskmill"), ["--help"], { encoding: "utf8" })).toContain("taskmill — a distributed Map/MapReduce job master");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
