import { ValidationError } from "./validation-error.ts";

/** Returns `value` when it is an integer in [min, max]; else throws naming `field`. */
export function expectInt(field: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new ValidationError(field, `an integer ${range}`, value);
  }
  return value;
}
