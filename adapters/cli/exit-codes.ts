/**
 * The `taskmill` command's exit codes (L3), on Node and Deno alike: a script
 * can tell a failed job from a typo, a master that is down, and an id the
 * master does not know.
 */
export const EXIT = {
  /** The command did what was asked; a followed instance ended SUCCESS. */
  success: 0,
  /** A followed instance ended FAILED, or the master refused the request. */
  failed: 1,
  /** The command line is wrong (an unknown flag, a missing or malformed value). */
  usage: 2,
  /** No master answered at the URL given, or what answered is not a taskmill master. */
  unreachable: 3,
  /** The master does not know the instance (or task) named (HTTP 404). */
  unknownId: 4,
} as const;

/** One of the exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
