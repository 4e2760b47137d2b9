/**
 * Random keys that prove who sends a message: a worker incarnation's secret,
 * a master's credential, the key a master hands its own worker (H13–H17).
 * Web Crypto only, so every runtime makes them alike.
 */

/** Length of a key: 128 random bits as hex. */
export const KEY_LENGTH = 32;

/** A new key: 128 bits from crypto.getRandomValues, as 32 lowercase hex digits. */
export function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(KEY_LENGTH / 2));
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/**
 * Whether two keys are equal, in time that does not depend on where they
 * first differ: a guesser learns nothing from how fast a wrong key is refused.
 * An empty key (one not received yet) equals nothing, not even another empty one.
 */
export function sameKey(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || a.length === 0 || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
