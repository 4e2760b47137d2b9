import { processorKind } from "./define.ts";
import type { Processor, ProcessorMap } from "./types.ts";

/**
 * The processors of a loaded processor module: its named exports that are
 * processors (the export's name is the processor's name). Any other export is
 * ignored with a warning; a module with no processor is refused.
 */
export function pickProcessors(mod: Readonly<Record<string, unknown>>, modulePath: string, warn: (msg: string) => void): ProcessorMap {
  const out: Record<string, Processor> = {};
  for (const [name, value] of Object.entries(mod)) {
    if (processorKind(value)) out[name] = value as Processor;
    else warn(`taskmill: ignoring export "${name}" of ${modulePath}: not a processor (Expected an object with process(ctx) and, for MapReduce, reduce(ctx))`);
  }
  if (Object.keys(out).length === 0) throw new Error(`--processors: ${modulePath} exports no processor (Expected named exports made with defineMap/defineMapReduce or objects with process(ctx))`);
  return out;
}
