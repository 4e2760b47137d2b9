/**
 * One table of flags per command, from which both the parsing and the
 * usage text come (L1): a flag the command accepts is in its usage line
 * and its list, by construction. Runtime-neutral (no node:util), so the
 * Node and Deno commands share it.
 */
import { UsageError } from "./cli-errors.ts";

/** One flag of a command. */
export interface Flag {
  /** The name without dashes: "max-body-bytes". */
  name: string;
  /** What its value is called in the usage ("N", "URL"); absent for a flag that takes no value. */
  arg?: string;
  /** What it does: the first line, then more lines if need be ("\n" between them). */
  help: string;
  /** May be given more than once (every value kept). */
  repeat?: boolean;
  /** Shown without brackets in the usage line (checked by the command, which may take it from elsewhere). */
  required?: boolean;
  /** Not shown in the usage line (a deprecated spelling), only in the list. */
  hidden?: boolean;
  /** A heading printed before this flag in the list (a group of flags that go together). */
  group?: string;
}

/** A command: its name, what it takes besides flags, what it does, and its flags. */
export interface CommandSpec {
  name: string;
  /** The positional argument, as the usage shows it ("ID", "[ID]"); absent: none taken. */
  positional?: string;
  /** One line for the command list. */
  summary: string;
  /** Paragraphs shown between the usage line and the flag list. */
  about?: string;
  flags: readonly Flag[];
}

/** What a command line said: each flag's values (a flag with no value: ["true"]) and the positionals. */
export interface ParsedArgs {
  values: Record<string, string[]>;
  positionals: string[];
}

/** The column the flags' help starts at. */
const HELP_COLUMN = 22;
/** Usage lines are wrapped before this width. */
const WIDTH = 100;

/**
 * Parses `args` against a command's flags: `--name value`, `--name=value`,
 * and bare `--name` for flags without a value. An unknown flag, a missing
 * value, a value given to a flag that takes none, or an unexpected
 * positional is a UsageError.
 */
export function parseArgs(spec: CommandSpec, args: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { values: {}, positionals: [] };
  const byName = new Map(spec.flags.map((f) => [f.name, f]));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--([A-Za-z0-9-]+)(?:=([\s\S]*))?$/.exec(a);
    if (!m) {
      if (a.startsWith("-") && a !== "-") throw new UsageError(`unknown option ${a}`);
      if (spec.positional === undefined) throw new UsageError(`unexpected argument '${a}' (${spec.name} takes only flags)`);
      if (out.positionals.length > 0) throw new UsageError(`unexpected argument '${a}' (Expected one ${spec.positional.replace(/[[\]]/g, "")})`);
      out.positionals.push(a);
      continue;
    }
    const name = m[1]!;
    const flag = byName.get(name);
    if (!flag) throw new UsageError(`unknown option --${name}`);
    let value: string;
    if (flag.arg === undefined) {
      if (m[2] !== undefined) throw new UsageError(`--${name} takes no value, got '${m[2]}'`);
      value = "true";
    } else if (m[2] !== undefined) {
      value = m[2];
    } else {
      const next = args[i + 1];
      if (next === undefined) throw new UsageError(`--${name} needs a value (${flag.arg})`);
      value = next;
      i++;
    }
    // A flag that is not repeatable keeps its last value, as scripts that append an override expect.
    (out.values[name] ??= []).push(value);
  }
  return out;
}

/** The usage text of a command: "Usage: PROG NAME …" wrapped, its about text, then every flag with its help. */
export function usage(prog: string, spec: CommandSpec): string {
  const words = [`${prog} ${spec.name}`];
  if (spec.positional) words.push(spec.positional);
  for (const f of spec.flags) {
    if (f.hidden) continue;
    const w = `--${f.name}${f.arg ? ` ${f.arg}` : ""}${f.repeat ? " ..." : ""}`;
    words.push(f.required ? w : `[${w}]`);
  }
  const lines: string[] = [];
  let line = "Usage:";
  const indent = " ".repeat(`Usage: ${prog} ${spec.name} `.length);
  for (const w of words) {
    if (line.length + 1 + w.length > WIDTH && line.trim() !== "Usage:") { lines.push(line); line = indent.slice(0, -1); }
    line += ` ${w}`;
  }
  lines.push(line);
  const out = [lines.join("\n"), ""];
  if (spec.about) out.push(spec.about, "");
  for (const f of spec.flags) {
    if (f.group) out.push("", f.group);
    const head = `  --${f.name}${f.arg ? ` ${f.arg}` : ""}`;
    const [first, ...more] = f.help.split("\n");
    out.push(head.length < HELP_COLUMN ? head.padEnd(HELP_COLUMN) + first : `${head} ${first}`);
    for (const m of more) out.push(" ".repeat(HELP_COLUMN) + m);
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd();
}

/** The last value of a flag, or undefined when it was not given. */
export function one(p: ParsedArgs, name: string): string | undefined {
  const v = p.values[name];
  return v === undefined ? undefined : v[v.length - 1];
}

/** True when a flag without a value was given. */
export function given(p: ParsedArgs, name: string): boolean {
  return p.values[name] !== undefined;
}

/** A flag's value as an integer ≥ `min`, or `dflt` when it was not given. */
export function int(p: ParsedArgs, name: string, dflt: number, min = 1): number {
  const v = one(p, name);
  if (v === undefined) return dflt;
  const n = v.trim() === "" ? NaN : Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: Expected an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

/** A flag's value parsed as JSON, or undefined when it was not given. */
export function json(p: ParsedArgs, name: string): unknown {
  const v = one(p, name);
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch (e) {
    throw new UsageError(`--${name}: Expected JSON, got ${JSON.stringify(v)} (${(e as Error).message})`);
  }
}

/** A flag's value, which must be given and not empty. */
export function required(p: ParsedArgs, name: string): string {
  const v = one(p, name);
  if (v === undefined || v === "") throw new UsageError(`--${name} is required`);
  return v;
}
