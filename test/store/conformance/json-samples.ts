/**
 * Values a serializing backend could bend: the JSON edge cases and long
 * texts the value tests store and read back.
 */
import type { JsonValue } from "../../../src/protocol/messages.ts";

/** JSON values a serializing backend could bend: nesting, unicode, escapes, number edges, empty containers. */
export const JSON_SAMPLES: readonly JsonValue[] = [
  null, true, false, 0, -1, 42, 3.141592653589793, -0.000123, 1e-7, 1.5e300, 0.1 + 0.2,
  Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER,
  "", "plain", "héllo wörld", "日本語のテキスト", "emoji 🚀 and a family 👩‍👩‍👧", "ключ → значение",
  "quote \" backslash \\ newline \n tab \t slash / </script>", "{\"looks\":\"like json\"}", "null",
  [], {}, [1, "two", null, [3, [4, [5]]], { six: 6 }, true],
  {
    nested: { deeper: { deepest: [1, { k: "v" }, []] } },
    "": "empty key", "ключ": "значение", "with space": null, "🔑": [false, 0, ""],
    num: -2.5e-8, big: 123456789012345, obj: {},
  },
];

/** JSON-safe text of `length` characters mixing 1- to 4-byte UTF-8, escapes and quotes, varied by `seed`. */
export function bigText(length: number, seed: number): string {
  const alphabet = ["a", "Z", "7", " ", "é", "ж", "€", "日", "🚀", "\"", "\\", "\n", "<", "\u2028"];
  let out = "";
  let x = seed * 2654435761 >>> 0;
  while (out.length < length) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += alphabet[x % alphabet.length]!.repeat(1 + (x >>> 28));
  }
  const cut = out.slice(0, length - 1);
  // Never a lone surrogate: not every JSON store takes one.
  return (/[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) + "?" : cut) + "!";
}
