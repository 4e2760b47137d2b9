/**
 * The part of `node:assert/strict` the conformance suites use (equal,
 * deepEqual, ok, rejects), for browser bundles: rolldown cannot bundle
 * Node's built-in, so the page bundle aliases `node:assert/strict` here.
 * Semantics follow Node's strict mode: Object.is for primitives; deepEqual
 * compares prototypes, own enumerable keys, arrays, typed arrays, Date,
 * RegExp, Map and Set.
 */

/** Thrown when an assertion fails. */
export class AssertionError extends Error {
  override readonly name = "AssertionError";
  constructor(message: string, readonly actual?: unknown, readonly expected?: unknown) {
    super(message);
  }
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  try {
    return JSON.stringify(v, (_, x: unknown) => (x instanceof Uint8Array ? `Uint8Array[${[...x].join(",")}]` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

function fail(message: string | Error | undefined, fallback: string, actual?: unknown, expected?: unknown): never {
  if (message instanceof Error) throw message;
  throw new AssertionError(message ?? fallback, actual, expected);
}

function deep(a: unknown, b: unknown, seen: Map<object, object>): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime());
  if (a instanceof RegExp) return String(a) === String(b);
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>, y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Map) {
    const m = b as Map<unknown, unknown>;
    if (a.size !== m.size) return false;
    for (const [k, v] of a) if (!m.has(k) || !deep(v, m.get(k), seen)) return false;
    return true;
  }
  if (a instanceof Set) {
    const s = b as Set<unknown>;
    if (a.size !== s.size) return false;
    for (const v of a) if (!s.has(v)) return false;
    return true;
  }
  if (a instanceof Error && (a.message !== (b as Error).message || a.name !== (b as Error).name)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deep((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], seen)) return false;
  }
  return true;
}

/** Passes when `value` is truthy. */
export function ok(value: unknown, message?: string | Error): asserts value {
  if (!value) fail(message, `expected a truthy value, got ${show(value)}`, value, true);
}

/** Passes when Object.is(actual, expected). */
export function equal(actual: unknown, expected: unknown, message?: string | Error): void {
  if (!Object.is(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`, actual, expected);
}

/** Passes when the two are deeply and strictly equal. */
export function deepEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (!deep(actual, expected, new Map())) {
    fail(message, `expected deep-equal values:\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`, actual, expected);
  }
}

type ErrorClass = abstract new (...args: never[]) => unknown;
type Expected = ErrorClass | RegExp | ((e: unknown) => boolean) | Record<string, unknown>;

function matches(e: unknown, expected: Expected): boolean {
  if (expected instanceof RegExp) return expected.test(e instanceof Error ? e.message : String(e));
  if (typeof expected === "function") {
    // A class (it has a prototype) is an instanceof check; an arrow function is a validator returning true.
    if (expected.prototype !== undefined && e instanceof (expected as ErrorClass)) return true;
    if (expected.prototype !== undefined && Error.isPrototypeOf(expected)) return false;
    return (expected as (e: unknown) => boolean)(e) === true;
  }
  return Object.entries(expected).every(([k, v]) => deep((e as Record<string, unknown>)?.[k], v, new Map()));
}

/** Passes when the promise (or the async function's) rejects, and matches `expected` when given. */
export async function rejects(
  block: Promise<unknown> | (() => Promise<unknown>), expected?: Expected | string, message?: string | Error,
): Promise<void> {
  if (typeof expected === "string") {
    message = expected;
    expected = undefined;
  }
  let error: unknown;
  let threw = false;
  try {
    await (typeof block === "function" ? block() : block);
  } catch (e) {
    threw = true;
    error = e;
  }
  if (!threw) fail(message, "Missing expected rejection");
  if (expected !== undefined && !matches(error, expected)) {
    fail(message, `the rejection did not match: ${show(error)}`, error, expected);
  }
}

const assert = Object.assign((value: unknown, message?: string | Error) => ok(value, message), {
  ok, equal, deepEqual, strictEqual: equal, deepStrictEqual: deepEqual, rejects, AssertionError,
});
export default assert;
