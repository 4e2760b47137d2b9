/**
 * What each colour of the browser UI means, in one place: a colour stands for
 * one thing only. Task states keep theirs everywhere — bars, badges and chart
 * lines — so failed is red on every page; other lines (task names, workers)
 * take the series palette, which holds none of the state colours.
 */

/** Colours of task and instance states (also in components.css). */
export const STATE_COLORS = {
  succeeded: "#16a34a",
  failed: "#dc2626",
  running: "#f59e0b",
  handedOut: "#93c5fd",
} as const;

/** Lines that are not states: distinct from each other and from every state colour. */
export const SERIES_PALETTE = ["#2563eb", "#7c3aed", "#0891b2", "#db2777", "#475569", "#4f46e5", "#a21caf", "#0f766e", "#9f1239", "#1e3a8a"] as const;

/** The colour of line `i` of a chart whose lines are not states. */
export function seriesColor(i: number): string {
  return SERIES_PALETTE[i % SERIES_PALETTE.length]!;
}
