import { MAX_TABLE_CAPACITY } from "../../core-as/shared/constants.ts";
import type { CoreOptions } from "./types.ts";
import { expectInt } from "../errors/validate.ts";

/** Core options with every default filled in. */
export type ResolvedCoreOptions = Required<CoreOptions>;

/** Checks core sizes and fills defaults; throws a ValidationError naming the field. */
export function resolveCoreOptions(options: CoreOptions = {}): ResolvedCoreOptions {
  return {
    queueCapacity: expectInt("queueCapacity", options.queueCapacity ?? 10_000, 1, 1 << 26),
    tableCapacity: expectInt("tableCapacity", options.tableCapacity ?? 65_536, 1, MAX_TABLE_CAPACITY),
    maxNames: expectInt("maxNames", options.maxNames ?? 64, 1, 1 << 20),
    maxWorkers: expectInt("maxWorkers", options.maxWorkers ?? 1024, 1, 1 << 20),
    ioCapacity: expectInt("ioCapacity", options.ioCapacity ?? 4096, 1, 1 << 20),
    initialCapacity: expectInt("initialCapacity", options.initialCapacity ?? 1024, 1, MAX_TABLE_CAPACITY),
  };
}
