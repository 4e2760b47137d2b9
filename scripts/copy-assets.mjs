// Copies the files tsc does not emit (the .sql statements of the SQL stores)
// from adapters/ into dist/adapters/, keeping their paths, so the built
// modules find them next to themselves (new URL("./x.sql", import.meta.url)).
import { readdirSync, mkdirSync, copyFileSync, statSync } from "node:fs";
import { join, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const EXTENSIONS = [".sql"];

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (EXTENSIONS.some((e) => name.endsWith(e))) {
      const out = join(root, "dist", relative(root, path));
      mkdirSync(dirname(out), { recursive: true });
      copyFileSync(path, out);
    }
  }
}
walk(join(root, "adapters"));
