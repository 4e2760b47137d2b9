/**
 * A1: `instanceId` is a create-once key. A submit that names an instance
 * which exists is the same submit again (a retry after a lost reply) when
 * processor, params and settings match — it answers with that instance and
 * creates nothing; anything else is a conflict naming what differs.
 */
import type { JsonValue } from "../protocol/messages.ts";
import type { InstanceRecord } from "../store/task-store.ts";
import { resolveSettings, type ResolvedSettings } from "./settings.ts";

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
