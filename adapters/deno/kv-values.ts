/**
 * JSON text that may outgrow one Deno KV value (64 KiB): short text stays in
 * its entry; longer text is split into UTF-8 parts under `[...base, gen, i]`,
 * with a fresh `gen` per write, so new parts are invisible until the entry
 * that names them commits, and the old ones can be deleted in the same atomic.
 */

/** Longest text kept inside its entry, in UTF-16 units (≤ 8 KiB as V8 stores it). */
const INLINE_MAX = 4096;
/** Bytes per part: under the 64 KiB value limit. */
const PART_BYTES = 60_000;

/** JSON text inline, or the generation and count of its parts. */
export type Val = string | { readonly g: string; readonly n: number };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Stores `text` under `base`: the entry's value and the parts to write with it. */
export function spill(base: Deno.KvKey, text: string): { val: Val; sets: Deno.KvMutation[] } {
  if (text.length <= INLINE_MAX) return { val: text, sets: [] };
  const bytes = encoder.encode(text);
  const g = crypto.randomUUID();
  const n = Math.ceil(bytes.length / PART_BYTES);
  const sets: Deno.KvMutation[] = [];
  for (let i = 0; i < n; i++) {
    sets.push({ type: "set", key: [...base, g, i], value: bytes.slice(i * PART_BYTES, (i + 1) * PART_BYTES) });
  }
  return { val: { g, n }, sets };
}

/** Deletes of the parts of `val` (none when inline). */
export function drop(base: Deno.KvKey, val: Val): Deno.KvMutation[] {
  if (typeof val === "string") return [];
  const out: Deno.KvMutation[] = [];
  for (let i = 0; i < val.n; i++) out.push({ type: "delete", key: [...base, val.g, i] });
  return out;
}

/** The text of `val`, reading its parts when spilled. */
export async function load(kv: Deno.Kv, base: Deno.KvKey, val: Val): Promise<string> {
  if (typeof val === "string") return val;
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const e of kv.list<Uint8Array>({ prefix: [...base, val.g] })) {
    parts.push(e.value);
    size += e.value.length;
  }
  if (parts.length !== val.n) throw new Error(`Deno KV: ${val.n} parts expected under ${JSON.stringify(base)}, found ${parts.length}`);
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return decoder.decode(bytes);
}

/** The same value, spilled or not. */
export function sameVal(a: Val, b: Val): boolean {
  return typeof a === "string" ? a === b : typeof b !== "string" && a.g === b.g;
}
