/**
 * Where a command writes (runtime-neutral): lines for stdout and stderr, and
 * the screen the progress bars redraw in place when it is a terminal.
 */

/** A stream the progress bars write to; `isTTY` true: they redraw in place. */
export interface Screen {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A command's output. */
export interface Output {
  /** One line on stdout. */
  out(line: string): void;
  /** One line on stderr. */
  err(line: string): void;
  /** Where live progress bars go (stdout). */
  screen: Screen;
}
