/**
 * JSON columns of the SQLite store: the JSON text the shared checks made,
 * with JSON null (and what JSON writes as null) stored as SQL NULL.
 */
import type { JsonValue } from "../../../src/protocol/messages.ts";
import { encodeJson, NULL_TEXT } from "../../../src/store/input.ts";

/** The column value of checked JSON text. */
export function sqlJson(text: string): string | null {
  return text === NULL_TEXT ? null : text;
}

/** The column value of `value`; refuses what JSON cannot carry (ValidationError naming `field`). */
export function toJson(field: string, value: unknown): string | null {
  return value === null ? null : sqlJson(encodeJson(field, value));
}

/** The JSON value of a column. */
export function fromJson(text: string | null): JsonValue {
  return text === null ? null : JSON.parse(text) as JsonValue;
}
