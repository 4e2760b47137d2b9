import type { InstanceProgress } from "../../src/master/index.ts";
import type { Screen } from "./output.ts";

const WIDTH = 28;

function bar(done: number, total: number): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * WIDTH);
  return "█".repeat(filled) + "░".repeat(WIDTH - filled);
}

/**
 * Renders progress per task name as bars (L17: in the order the names first
 * appeared, REDUCE last). On a terminal it redraws in place; otherwise it
 * prints one line per update.
 */
export class ProgressBars {
  #lines = 0;
  /** Task names in the order they first appeared. */
  readonly #order: string[] = [];
  constructor(private readonly screen: Screen) {}

  /** The names to draw, in order: first appearance, REDUCE last (it runs after every other). */
  order(names: Iterable<string>): string[] {
    for (const n of names) if (!this.#order.includes(n)) this.#order.push(n);
    return [...this.#order.filter((n) => n !== "REDUCE"), ...this.#order.filter((n) => n === "REDUCE")];
  }

  /** Draws one update: a row per task name (done/total, failed, running). */
  render(p: Pick<InstanceProgress, "names">): void {
    const rows = this.order(Object.keys(p.names)).filter((name) => p.names[name]).map((name) => {
      const n = p.names[name]!;
      const done = n.success + n.failed;
      const pct = n.total === 0 ? 0 : Math.floor((done / n.total) * 100);
      return `${name.padEnd(8)} ${bar(done, n.total)} ${String(pct).padStart(3)}%  ${done}/${n.total}` +
        (n.failed ? `  (${n.failed} failed)` : "") + (n.running ? `  ${n.running} running` : "");
    });
    if (this.screen.isTTY) {
      if (this.#lines) this.screen.write(`\x1b[${this.#lines}A`);
      for (const r of rows) this.screen.write(`\x1b[2K${r}\n`);
      this.#lines = rows.length;
    } else {
      this.screen.write(rows.join(" | ") + "\n");
    }
  }
}
