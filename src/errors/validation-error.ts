/** Describes a received value briefly for an error message. */
export function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${typeof value}`;
}

/**
 * Bad input: names the field, what was expected and what was received.
 * @example new ValidationError("pageSize", "an integer >= 1", 0).message
 *   // 'pageSize: Expected an integer >= 1, got 0'
 */
export class ValidationError extends Error {
  override readonly name = "ValidationError";
  /** The offending field, dotted for nested ones. */
  readonly field: string;
  /** What the field must be. */
  readonly expected: string;

  constructor(field: string, expected: string, received: unknown) {
    super(`${field}: Expected ${expected}, got ${describe(received)}`);
    this.field = field;
    this.expected = expected;
  }
}
