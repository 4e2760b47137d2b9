// The TypeScript examples of the docs, as the docs tests read them.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** One ```ts block of a Markdown file. */
export interface DocExample {
  /** Repository path of the file, e.g. docs/processors.md. */
  file: string;
  /** Its first line's number in the file (1-based), for messages. */
  line: number;
  code: string;
}

/** Every ```ts block of README.md and docs/*.md, in file order. */
export function docExamples(root: string): DocExample[] {
  const files = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
  const out: DocExample[] = [];
  for (const file of files) {
    const lines = readFileSync(join(root, file), "utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
      const start = i + 1;
      let end = start;
      while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
      out.push({ file, line: start + 1, code: lines.slice(start, end).join("\n") + "\n" });
      i = end;
    }
  }
  return out;
}

/** A file name for an example: where it comes from, readable in tsc's messages. */
export function exampleFileName(e: DocExample): string {
  return `${e.file.replace(/[/.]/g, "_")}_line${e.line}.ts`;
}
