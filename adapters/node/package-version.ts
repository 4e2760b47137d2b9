/**
 * taskmill's version for `taskmill --version` (L10): the `version` of the
 * package.json named "taskmill" nearest above this module — the same file
 * whether the sources run or the build in dist/ (one level deeper).
 */
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The version of the taskmill package this module belongs to. */
export function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "taskmill" && typeof pkg.version === "string") return pkg.version;
    }
    if (dirname(dir) === dir) throw new Error("taskmill's package.json was not found above " + fileURLToPath(import.meta.url));
  }
}
