/**
 * The checks the options of `startMaster` and `startWorker` share: each names
 * its field and says what was expected ("slots: Expected an integer >= 1, got 0").
 */
import { ValidationError } from "../../src/errors/validation-error.ts";
import { expectInt } from "../../src/errors/validate.ts";
import { processorKind } from "../../src/processor/define.ts";

/** The option names `o` may have: anything else is a typo worth refusing. */
export function expectKnownKeys(o: unknown, known: readonly string[], what: string): asserts o is Record<string, unknown> {
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw new ValidationError("options", `an object of ${what} options`, o);
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) throw new ValidationError(key, `one of the options of ${what} (${known.join(", ")})`, (o as Record<string, unknown>)[key]);
  }
}

/** An optional integer option, or its default. */
export function intOption(o: Record<string, unknown>, field: string, dflt: number, min: number, max?: number): number {
  return o[field] === undefined ? dflt : expectInt(field, o[field], min, max);
}

/** An optional boolean option, or false. */
export function boolOption(o: Record<string, unknown>, field: string): boolean {
  if (o[field] === undefined) return false;
  if (typeof o[field] !== "boolean") throw new ValidationError(field, "true or false", o[field]);
  return o[field];
}

/** An optional non-empty string option. */
export function stringOption(o: Record<string, unknown>, field: string): string | undefined {
  if (o[field] === undefined) return undefined;
  if (typeof o[field] !== "string" || o[field] === "") throw new ValidationError(field, "a non-empty string", o[field]);
  return o[field];
}

/** An optional list of non-empty strings. */
export function stringsOption(o: Record<string, unknown>, field: string): string[] | undefined {
  const v = o[field];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new ValidationError(field, "an array of strings", v);
  v.forEach((s, i) => { if (typeof s !== "string" || s === "") throw new ValidationError(`${field}[${i}]`, "a non-empty string", s); });
  return v as string[];
}

/** An http(s) URL: a master's, or the URL a master advertises. */
export function expectHttpUrl(field: string, v: unknown): string {
  if (typeof v !== "string" || !/^https?:\/\/[^/?#]+/.test(v)) throw new ValidationError(field, "an http:// or https:// URL like http://127.0.0.1:7070", v);
  return v.replace(/\/+$/, "");
}

/**
 * Processors as the options take them: a module's path, or an object of
 * processors by name — a module namespace (`import * as jobs from "./jobs.js"`)
 * works, its exports that are not processors being ignored as a loaded module's are.
 */
export function checkProcessors(field: string, v: unknown): string | Readonly<Record<string, unknown>> {
  if (typeof v === "string" && v !== "") return v;
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    if (!Object.values(v).some((p) => processorKind(p) !== null)) {
      throw new ValidationError(field, "an object with at least one processor (made with defineMap/defineMapReduce, or { process(ctx) })", v);
    }
    return v as Readonly<Record<string, unknown>>;
  }
  throw new ValidationError(field, "a processor module's path or an object of processors by name", v);
}
