import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { existsSync } from "node:fs";
import { syntaxErrorPlace } from "./syntax-error-place.ts";
import { pickProcessors } from "../../src/processor/pick.ts";
import type { ProcessorMap } from "../../src/processor/types.ts";

/**
 * Loads a processor module: an ES module whose named exports are processors
 * (objects with `process`, plus `reduce` for MapReduce). The export's name is
 * the processor's name; any other export is ignored with a warning; a module
 * with no processor is refused, and one that does not parse is reported with
 * the file and line of its syntax error (L16).
 */
export async function loadProcessors(modulePath: string, warn: (msg: string) => void = (m) => console.warn(m)): Promise<ProcessorMap> {
  const file = resolve(modulePath);
  if (!existsSync(file)) throw new Error(`--processors: no such file: ${file} (Expected an ES module of processors, e.g. dist/examples/primes.js)`);
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(file).href) as Record<string, unknown>;
  } catch (e) {
    // L16: a syntax error is reported with its file and line, which Node's import() leaves out.
    const place = e instanceof SyntaxError ? syntaxErrorPlace(pathToFileURL(file).href, e) : null;
    const what = e instanceof SyntaxError ? `SyntaxError: ${e.message}` : (e as Error).message;
    throw new Error(`--processors: could not load ${file}: ${what}${place ? ` at ${place}` : ""}`);
  }
  return pickProcessors(mod, modulePath, warn);
}
