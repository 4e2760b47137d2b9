import type { InstanceProgress } from "../../src/master/index.ts";

const WIDTH = 28;

function bar(done: number, total: number): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * WIDTH);
  return "█".repeat(filled) + "░".repeat(WIDTH - filled);
}

/**
 * Renders progress per task name as bars. On a terminal it redraws in place;
 * otherwise it prints one line per update.
 */
export class ProgressBars {
  #lines = 0;
  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  render(p: InstanceProgress): void {
    const rows = Object.entries(p.names).map(([name, n]) => {
      const done = n.success + n.failed;
      const pct = n.total === 0 ? 0 : Math.floor((done / n.total) * 100);
      return `${name.padEnd(8)} ${bar(done, n.total)} ${String(pct).padStart(3)}%  ${done}/${n.total}` +
        (n.failed ? `  (${n.failed} failed)` : "") + (n.running ? `  ${n.running} running` : "");
    });
    if (this.out.isTTY) {
      if (this.#lines) this.out.write(`\x1b[${this.#lines}A`);
      for (const r of rows) this.out.write(`\x1b[2K${r}\n`);
      this.#lines = rows.length;
    } else {
      this.out.write(rows.join(" | ") + "\n");
    }
  }
}
