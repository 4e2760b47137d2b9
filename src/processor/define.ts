import type { JsonValue } from "../protocol/messages.ts";
import type { MapProcessor, MapReduceProcessor, Processor } from "./types.ts";

/**
 * Declares a Map processor (typing help only: a plain object of the same
 * shape works too). `Params` types `ctx.params`, `Body` a sub-task's `ctx.body`.
 * @example export const thumbs = defineMap<{ images: string[] }, string>({ async process(ctx) { ... } });
 */
export function defineMap<Params extends JsonValue = JsonValue, Body extends JsonValue = JsonValue>(p: MapProcessor<Params, Body>): MapProcessor<Params, Body> {
  return p;
}

/**
 * Declares a MapReduce processor (typing help only). `Params` types
 * `ctx.params`, `Body` a sub-task's `ctx.body`.
 * @example export const sum = defineMapReduce<{ n: number }, number>({ process, reduce });
 */
export function defineMapReduce<Params extends JsonValue = JsonValue, Body extends JsonValue = JsonValue>(p: MapReduceProcessor<Params, Body>): MapReduceProcessor<Params, Body> {
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
