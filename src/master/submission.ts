/**
 * What a submit is checked against (B19), and A1: `instanceId` is a
 * create-once key. A submit that names an instance which exists is the same submit again (a retry after a lost reply) when
 * processor, params and settings match — it answers with that instance and
 * creates nothing; anything else is a conflict naming what differs.
 */
import type { JsonValue } from "../protocol/messages.ts";
import type { InstanceRecord } from "../store/task-store.ts";
import type { Processor, ProcessorMap } from "../processor/types.ts";
import { processorKind } from "../processor/define.ts";
import { ValidationError } from "../errors/validation-error.ts";
import { UnknownProcessorError } from "./errors.ts";
import type { Submission } from "./master-types.ts";
import { resolveSettings, type ResolvedSettings } from "./settings.ts";

/** A submission checked: what the instance is created with. */
export interface CheckedSubmission {
  processor: Processor;
  settings: ResolvedSettings;
  params: JsonValue;
  /** The one given, or a new UUID. */
  instanceId: string;
}

/**
 * Checks a submission against the processors a master has loaded (B19);
 * throws a ValidationError (UnknownProcessorError) naming the bad field.
 */
export function checkSubmission(s: Submission, processors: ProcessorMap): CheckedSubmission {
  if (typeof s !== "object" || s === null) throw new ValidationError("submission", "an object with processor, settings, params", s);
  if (typeof s.processor !== "string" || s.processor === "") throw new ValidationError("processor", "the name of a loaded processor", s.processor);
  const processor = processors[s.processor];
  if (!processor) throw new UnknownProcessorError(s.processor, Object.keys(processors));
  if (!processorKind(processor)) throw new ValidationError("processor", "a Map or MapReduce processor", s.processor);
  const settings = resolveSettings(s.settings);
  const params = s.params ?? null;
  try {
    JSON.stringify(params);
  } catch {
    throw new ValidationError("params", "a JSON value", params);
  }
  const instanceId = s.instanceId ?? crypto.randomUUID();
  if (typeof instanceId !== "string" || !/^[\w.:-]{1,128}$/.test(instanceId)) {
    throw new ValidationError("instanceId", "1-128 letters, digits, '_', '-', '.' or ':'", instanceId);
  }
  return { processor, settings, params, instanceId };
}

/**
 * Whether two JSON values are equal, object keys in any order: stores such
 * as PostgreSQL's jsonb keep objects with their keys re-ordered.
 */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]!));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k]!, b[k]!));
}

/**
 * The first field in which a submit differs from the stored instance
 * (`processor`, `params` or `settings`, both settings resolved so a default
 * written out equals one left out), or null when it is the same submit.
 */
export function submissionDiff(rec: InstanceRecord, processor: string, params: JsonValue, settings: ResolvedSettings): "processor" | "params" | "settings" | null {
  if (rec.processor !== processor) return "processor";
  if (!jsonEqual(rec.params, params)) return "params";
  let stored: ResolvedSettings;
  try {
    stored = resolveSettings(rec.settings);
  } catch {
    return "settings";
  }
  return jsonEqual(stored as unknown as JsonValue, settings as unknown as JsonValue) ? null : "settings";
}
