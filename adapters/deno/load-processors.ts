import { pickProcessors } from "../../src/processor/pick.ts";
import type { ProcessorMap } from "../../src/processor/types.ts";

/** The file: URL of an absolute path (POSIX or Windows), with #, ? and spaces escaped. */
function fileUrl(path: string): string {
  const u = new URL("file:///");
  u.pathname = path.replaceAll("\\", "/").replace(/^(?=[A-Za-z]:)/, "/");
  return u.href;
}

/**
 * Loads a processor module (a path, relative to the working directory): an ES
 * module (.ts or .js) whose named exports are processors. Other exports are
 * ignored with a warning; a module with no processor is refused. Needs read
 * permission for the module.
 */
export async function loadProcessors(modulePath: string, warn: (msg: string) => void = (m) => console.warn(m)): Promise<ProcessorMap> {
  let file: string;
  try {
    file = await Deno.realPath(modulePath);
  } catch (e) {
    throw new Error(`--processors: cannot read ${modulePath}: ${(e as Error).message} (Expected an ES module of processors, e.g. examples/primes.ts)`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(fileUrl(file)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`--processors: could not load ${file}: ${(e as Error).message}`);
  }
  return pickProcessors(mod, modulePath, warn);
}
