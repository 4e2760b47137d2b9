/**
 * PostgreSQL array literals built by hand: a batch's column goes to the server
 * as one text parameter (`$3::bigint[]`), cheaper than the client's generic
 * per-element serializer, and parsed there in C.
 */

const NEEDS_ESCAPE = /["\\]/;
const ESCAPES = /["\\]/g;

/** `{1,2,3}`: integers need no quoting. */
export function intArray(values: ArrayLike<number>): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) out += (i === 0 ? "" : ",") + values[i];
  return out + "}";
}

/** `{"a","b\"c",NULL}`: every element quoted, so empty strings and the word NULL stay strings. */
export function textArray(values: ArrayLike<string | null>): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i !== 0) out += ",";
    if (v === null || v === undefined) out += "NULL";
    else out += '"' + (NEEDS_ESCAPE.test(v) ? v.replace(ESCAPES, "\\$&") : v) + '"';
  }
  return out + "}";
}

/** `{1,NULL,3}`: integers, null elements as NULL. */
export function nullableIntArray(values: ArrayLike<number | null | undefined>): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out += (i === 0 ? "" : ",") + (v === null || v === undefined ? "NULL" : v);
  }
  return out + "}";
}

/** `{t,f}`. */
export function boolArray(values: ArrayLike<boolean>): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) out += (i === 0 ? "" : ",") + (values[i] ? "t" : "f");
  return out + "}";
}

/** `{1,2.5,Infinity,NaN}`: any numbers, as float8 reads them. */
export function floatArray(values: ArrayLike<number>): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) out += (i === 0 ? "" : ",") + String(values[i]);
  return out + "}";
}
