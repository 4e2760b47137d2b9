/**
 * Where a module's syntax error is (L16). Node's `import()` rejects with a
 * bare "SyntaxError: Unexpected token ';'" — no file, no line, and the file
 * may be one the module imports — while Node's own report of an uncaught
 * error names both. So, only once an import has failed to parse, this asks
 * a child Node to import the same module and reads the place from its
 * report. Nothing runs there: a module graph with a syntax error is refused
 * before any of it is evaluated (a SyntaxError the module threw while it ran
 * has its place in its stack already).
 */
import { spawnSync } from "node:child_process";

/**
 * "FILE:LINE" and the offending line with its caret, from Node's report of
 * importing `url` (a file: URL); null when the report has no such place.
 * A SyntaxError thrown while the module ran (a top-level `JSON.parse` of bad
 * text) names its place in its own stack: that is used, and the module is
 * not run a second time.
 */
export function syntaxErrorPlace(url: string, e: SyntaxError): string | null {
  const frame = /\(?(file:\/\/[^\s()]+):(\d+):\d+\)?$/m.exec(e.stack ?? "");
  if (frame) return `${decodeURIComponent(frame[1]!.replace(/^file:\/\//, ""))}:${frame[2]}`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(url)});`], { encoding: "utf8", timeout: 30_000 });
  const lines = (r.stderr ?? "").split("\n");
  const at = lines.findIndex((l) => /^(file:\/\/\S+|\/\S+):\d+$/.test(l));
  if (at < 0) return null;
  const place = lines[at]!.replace(/^file:\/\//, "");
  const code = lines.slice(at + 1, at + 3).filter((l) => l.trim() !== "");
  return [decodeURIComponent(place), ...code].join("\n");
}
