/**
 * The citation grammar of behaviour ids (docs/behaviour.md, "How ids are
 * cited") and what docs/behaviour.md defines, as pure functions over text, so
 * the check and its own tests share one reading of both.
 */

/** Letters of the ids that may be cited anywhere: the master's behaviours and the cross-cutting guarantees. */
export const BEHAVIOUR_LETTERS = "BX";

/** One id: a capital letter, one or two digits, and at most one lowercase letter (`G6b`). */
const ID = "[A-Z]\\d{1,2}[a-z]?";
/** Not a letter, digit or underscore on either side: `X1_STATS` and `AB12` cite nothing. */
const BEFORE = "(?<![A-Za-z0-9_])";
const AFTER = "(?![A-Za-z0-9_])";

/** A B or X id standing as a word. */
const BEHAVIOUR_ID = new RegExp(`${BEFORE}([${BEHAVIOUR_LETTERS}])(\\d{1,2})([a-z]?)${AFTER}`, "g");
/** A range of B or X ids with one letter, joined by a hyphen or an en dash: `B5-B9`. */
const BEHAVIOUR_RANGE = new RegExp(`${BEFORE}([${BEHAVIOUR_LETTERS}])(\\d{1,2})[-–]([${BEHAVIOUR_LETTERS}])(\\d{1,2})${AFTER}`, "g");
/**
 * A test or suite name (first argument of `it`, `test`, `describe`, after any
 * modifiers such as `.skipIf(cond)`) that opens with ids joined by `/` or a
 * range, directly followed by a colon: `test("P3: …")`, `it("B14/B15: …")`.
 */
const NAME_OPENING = new RegExp(
  `\\b(?:it|test|describe)(?:\\.[A-Za-z]+(?:\\([^()]*\\))?)*\\(\\s*["'\`](${ID}(?:[-–/]${ID})*):`, "g",
);

/** Every id of a range `first..last` of one letter (just the two ends when they do not ascend). */
function expand(letter: string, first: number, last: number): string[] {
  if (last <= first) return [`${letter}${first}`, `${letter}${last}`];
  return Array.from({ length: last - first + 1 }, (_, i) => `${letter}${first + i}`);
}

/** The ids a name's opening cites: `B14/B15` → both, `R1-R3` → R1, R2, R3. */
function openingIds(opening: string): string[] {
  const out: string[] = [];
  for (const part of opening.split("/")) {
    const range = /^([A-Z])(\d{1,2})[-–]([A-Z])(\d{1,2})$/.exec(part);
    if (range && range[1] === range[3]) out.push(...expand(range[1]!, Number(range[2]), Number(range[4])));
    else out.push(...part.split(/[-–]/));
  }
  return out;
}

/**
 * The ids a source file cites, each once, ranges expanded: B and X ids
 * wherever they stand as a word; ids of other letters only where they open a
 * test or suite name followed by a colon. Anything else — `W1`, `T0`, `V8`,
 * `O3` in code or prose — is not an id.
 */
export function citedIds(source: string): Set<string> {
  const ids = new Set<string>();
  for (const m of source.matchAll(BEHAVIOUR_ID)) ids.add(m[1]! + m[2]! + m[3]!);
  for (const m of source.matchAll(BEHAVIOUR_RANGE)) {
    if (m[1] === m[3]) for (const id of expand(m[1]!, Number(m[2]), Number(m[4]))) ids.add(id);
  }
  for (const m of source.matchAll(NAME_OPENING)) for (const id of openingIds(m[1]!)) ids.add(id);
  return ids;
}

/** A section that defines an id: a heading `### B11 — Title` (or `####` for a family's member). */
const DEFINITION = new RegExp(`^#{3,4} (${ID}) — (.+)$`, "gm");

/** The ids docs/behaviour.md defines, each with the anchor GitHub gives its heading. */
export function definedIds(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of markdown.matchAll(DEFINITION)) out.set(m[1]!, headingAnchor(`${m[1]} — ${m[2]}`));
  return out;
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, each space a hyphen. */
export function headingAnchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}

/** The index's links, `[B11](#b11--status-reports)`: id → anchor, from the `## Index` section only. */
export function indexLinks(markdown: string): Map<string, string> {
  const start = markdown.search(/^## Index$/m);
  if (start < 0) return new Map();
  const rest = markdown.slice(start + 1);
  const end = rest.search(/^## /m);
  const index = end < 0 ? rest : rest.slice(0, end);
  const out = new Map<string, string>();
  for (const m of index.matchAll(new RegExp(`\\[(${ID})\\]\\(#([^)\\s]+)\\)`, "g"))) out.set(m[1]!, m[2]!);
  return out;
}

/** Folders whose files the page may name. */
const PATH = /(?<![\w./-])((?:src|test|adapters|bench|core-as|docs|examples|scripts)\/(?:[\w.-]+\/)*[\w-]+(?:\.[\w-]+)*\.(?:ts|mts|mjs|js|tsx|md|json|sql))(?![\w/])/g;

/** Repository paths of files the page names (`test/master/harness.ts`), each once. */
export function namedPaths(markdown: string): string[] {
  return [...new Set([...markdown.matchAll(PATH)].map((m) => m[1]!))];
}
