import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { existsSync } from "node:fs";
import { processorKind } from "../../src/processor/define.ts";
import type { Processor, ProcessorMap } from "../../src/processor/types.ts";

/**
 * Loads a processor module: an ES module whose named exports are processors
 * (objects with `process`, plus `reduce` for MapReduce). The export's name is
 * the processor's name; any other export is ignored with a warning; a module
 * with no processor is refused.
 */
export async function loadProcessors(modulePath: string, warn: (msg: string) => void = (m) => console.warn(m)): Promise<ProcessorMap> {
  const file = resolve(modulePath);
  if (!existsSync(file)) throw new Error(`--processors: no such file: ${file} (Expected an ES module of processors, e.g. dist/examples/primes.js)`);
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(file).href) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`--processors: could not load ${file}: ${(e as Error).message}`);
  }
  const out: Record<string, Processor> = {};
  for (const [name, value] of Object.entries(mod)) {
    if (processorKind(value)) out[name] = value as Processor;
    else warn(`taskmill: ignoring export "${name}" of ${modulePath}: not a processor (Expected an object with process(ctx) and, for MapReduce, reduce(ctx))`);
  }
  if (Object.keys(out).length === 0) throw new Error(`--processors: ${modulePath} exports no processor (Expected named exports made with defineMap/defineMapReduce or objects with process(ctx))`);
  return out;
}
