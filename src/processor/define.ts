import type { JsonValue } from "../protocol/messages.ts";
import type { MapProcessor, MapReduceProcessor, Processor } from "./types.ts";

/**
 * Declares a Map processor (typing help only: a plain object of the same
 * shape works too).
 * @example export const squares = defineMap({ async process(ctx) { ... } });
 */
export function defineMap<Params extends JsonValue = JsonValue>(p: MapProcessor<Params>): MapProcessor<Params> {
  return p;
}

/**
 * Declares a MapReduce processor (typing help only).
 * @example export const sum = defineMapReduce({ process, reduce });
 */
export function defineMapReduce<Params extends JsonValue = JsonValue>(p: MapReduceProcessor<Params>): MapReduceProcessor<Params> {
  return p;
}

/** "map", "mapreduce", or null when `value` is not a processor (B19). */
export function processorKind(value: unknown): "map" | "mapreduce" | null {
  if (typeof value !== "object" || value === null) return null;
  const p = value as Partial<Record<"process" | "reduce", unknown>>;
  if (typeof p.process !== "function") return null;
  if (p.reduce === undefined) return "map";
  return typeof p.reduce === "function" ? "mapreduce" : null;
}

/** True when `value` is a MapReduce processor. */
export function isMapReduce(value: Processor): value is MapReduceProcessor {
  return processorKind(value) === "mapreduce";
}
