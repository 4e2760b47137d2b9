/** Formats rows of cells as an aligned text table (the first row is the header). */
export function formatTable(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return "";
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const line = (r: readonly string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ").trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

/** Formats rows as a Markdown table (the first row is the header; numbers right-aligned). */
export function formatMarkdown(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return "";
  const line = (r: readonly string[]) => `| ${r.join(" | ")} |`;
  const rule = rows[0]!.map((_, c) => (c === 0 ? "---" : "---:"));
  return [line(rows[0]!), line(rule), ...rows.slice(1).map(line)].join("\n");
}

/** A rate for people: 12.3 M/s, 456 k/s. */
export function perSecond(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} G/s`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)} M/s`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k/s`;
  return `${x.toFixed(0)} /s`;
}
