// docs/behaviour.md defines every behaviour id the code and tests cite, by
// the grammar it states (test/docs/citations.ts): each cited id has its
// section, each file the page names exists, and its index matches its
// sections. Reads the sources as text: no build needed.
import { describe, it, expect } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { citedIds, definedIds, headingAnchor, indexLinks, namedPaths } from "./citations.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PAGE = "docs/behaviour.md";
/** Where ids are cited. */
const SCANNED = ["src", "test", "adapters", "bench", "core-as"];
/** Folders that hold no source of ours. */
const NOT_SCANNED = new Set(["node_modules", "dist"]);
const SOURCE = /\.(?:ts|mts|cts|tsx|mjs|js)$/;
/** Written by the build (the WASM core as base64, where `+B5/` may occur by chance): cites nothing. */
const GENERATED = /\.generated\.[a-z]+$/;

/** Repository paths of the source files under `dir`. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${e.name}`;
    if (NOT_SCANNED.has(e.name)) continue;
    if (e.isDirectory()) out.push(...sources(path));
    else if (SOURCE.test(e.name) && !GENERATED.test(e.name)) out.push(path);
  }
  return out;
}

const page = readFileSync(join(ROOT, PAGE), "utf8");

describe("docs/behaviour.md", () => {
  it("defines every id cited in src/, test/, adapters/, bench/ and core-as/", () => {
    const defined = definedIds(page);
    const citedBy = new Map<string, string[]>();
    for (const file of SCANNED.flatMap(sources)) {
      for (const id of citedIds(readFileSync(join(ROOT, file), "utf8"))) {
        if (!defined.has(id)) citedBy.set(id, [...(citedBy.get(id) ?? []), file]);
      }
    }
    const undefinedIds = [...citedBy].map(([id, files]) => `${id} (cited in ${files.join(", ")})`).sort();
    expect(undefinedIds, `ids cited but not defined in ${PAGE}`).toEqual([]);
  });

  it("names only files that exist", () => {
    const paths = namedPaths(page);
    expect(paths.length).toBeGreaterThan(20);
    const missing = paths.filter((p) => !existsSync(join(ROOT, ...p.split("/"))));
    expect(missing, `files ${PAGE} names that do not exist`).toEqual([]);
  });

  it("lists every defined id in its index, once, linked to its section", () => {
    const defined = definedIds(page);
    const index = indexLinks(page);
    expect([...index.keys()].sort()).toEqual([...defined.keys()].sort());
    const badLinks = [...index].filter(([id, anchor]) => defined.get(id) !== anchor).map(([id, anchor]) => `${id} → #${anchor}, section #${defined.get(id)}`);
    expect(badLinks).toEqual([]);
  });
});

describe("the citation grammar", () => {
  // Example ids are assembled at run time: this file is scanned too, and its text must cite only defined ids.
  const id = (letter: string, n: number, suffix = "") => `${letter}${n}${suffix}`;

  it("finds B and X ids as words anywhere, ranges expanded, and nothing glued to other characters", () => {
    const src = [
      `// map back-pressure (${id("B", 2)}); dispatch (${id("B", 3)}-${id("B", 5)}); ${id("B", 14)}/${id("B", 15)}`,
      `it("${id("X", 3)} takeover: …", () => {});`,
      `const ${id("X", 1)}_STATS = process.env.${id("X", 1)}_STATS; const A${id("B", 7)} = 1; // ${id("B", 6)}xy`,
      `/** SPEC ${id("B", 8)}–${id("B", 9)} */`,
    ].join("\n");
    expect([...citedIds(src)].sort()).toEqual(["B14", "B15", "B2", "B3", "B4", "B5", "B8", "B9", "X3"]);
  });

  it("finds ids of other letters only where they open a test or suite name with a colon", () => {
    const src = [
      `test("${id("P", 3)}: an address with no route is refused", async () => {});`,
      `describe.skipIf(!ok)("${id("S", 1)}/${id("S", 2)}: the harness", () => {});`,
      `it(\`${id("R", 1)}-${id("R", 3)}: ticks\`, () => {});`,
      `Deno.test("${id("G", 6, "b")}: no data", () => {});`,
      `const ${id("W", 1)} = "worker-1"; const ${id("T", 0)} = 1_000; // ${id("V", 8)} stores it; asc -${id("O", 3)}`,
      `it("the ${id("D", 1)}: pages", () => {}); it("${id("C", 1)} defaults", () => {}); expect("${id("V", 2)}: x");`,
    ].join("\n");
    expect([...citedIds(src)].sort()).toEqual(["G6b", "P3", "R1", "R2", "R3", "S1", "S2"]);
  });

  it("reads definitions from ### and #### headings with an em dash, and their anchors as GitHub makes them", () => {
    const md = `### ${id("B", 11)} — Status reports\n#### ${id("S", 1)} — A run (with a kill)\n### ${id("B", 12)} - not a definition\n## ${id("B", 13)} — too high a level\n`;
    expect([...definedIds(md)]).toEqual([["B11", "b11--status-reports"], ["S1", "s1--a-run-with-a-kill"]]);
    expect(headingAnchor("X3 — Master restart, takeover and fencing")).toBe("x3--master-restart-takeover-and-fencing");
  });

  it("flags a made-up id cited in a test name, and a path that does not exist", () => {
    const madeUp = id("B", 99);
    const defined = definedIds(page);
    const cited = citedIds(`it("${madeUp}: a behaviour nobody wrote down", () => {});`);
    expect([...cited].filter((x) => !defined.has(x))).toEqual([madeUp]);
    const named = namedPaths(`Pinned by \`test/master/no-such-file.test.ts\` and test/master/harness.ts.`);
    expect(named).toEqual(["test/master/no-such-file.test.ts", "test/master/harness.ts"]);
    expect(named.filter((p) => !existsSync(join(ROOT, ...p.split("/"))))).toEqual(["test/master/no-such-file.test.ts"]);
  });
});
