/**
 * The commands that talk to a running master — submit, watch, status,
 * tasks, kill, retry — for Node and Deno alike (L1-L8): their flags (one
 * table each, from which the usage comes), and running them. The runtime
 * hands over its environment, how to read a file and where to write.
 */
import { resolveToken } from "../../src/http/token-source.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";
import { CliError, UsageError } from "./cli-errors.ts";
import { given, int, json, one, parseArgs, required, type CommandSpec, type Flag, type ParsedArgs } from "./flags.ts";
import { MasterCalls } from "./master-calls.ts";
import { masterUrls } from "./master-url.ts";
import type { Output } from "./output.ts";
import { submit } from "./commands/submit.ts";
import { follow } from "./commands/watch.ts";
import { status } from "./commands/status.ts";
import { tasks } from "./commands/tasks.ts";
import { kill } from "./commands/kill.ts";
import { retry } from "./commands/retry.ts";

/** --master, as every client command takes it. */
const MASTER: Flag = {
  name: "master", arg: "URL", repeat: true, required: true,
  help: "the master, e.g. http://127.0.0.1:7070 (or set TASKMILL_MASTER); repeat it\n(or give a comma-separated list) for masters sharing a store: the first\nthat answers is used",
};
/** The token flags, as every command takes them (H6). */
export const TOKEN_FLAGS: readonly Flag[] = [
  { name: "token-file", arg: "PATH", help: "read the bearer token from this file (or set TASKMILL_TOKEN)" },
  { name: "token", arg: "T", help: "the bearer token itself (works, but every user of the machine sees it in ps)" },
];
/** How long a follow keeps trying while no master answers. */
const REATTACH: Flag = {
  name: "reattach-s", arg: "S",
  help: "while following, how long to keep trying to reach a master that stopped\nanswering (a restart, a takeover) before giving up with exit code 3 (default 300)",
};
const EXIT_CODES = "Exit codes: 0 SUCCESS, 1 FAILED (or refused), 2 usage, 3 master unreachable, 4 unknown id.";

/** The client commands' specs, by name. */
export const CLIENT_COMMANDS = {
  submit: {
    name: "submit", summary: "submit an instance of a processor (and wait for it)",
    about: `Prints {"event":"submitted","instanceId":…}. With --wait, shows live progress per task
name, then the status and result, and the failed tasks' count and first errors when
some failed; a master restart or takeover meanwhile is waited out (re-attached).
${EXIT_CODES}`,
    flags: [
      MASTER,
      { name: "processor", arg: "NAME", required: true, help: "a processor the master has loaded" },
      { name: "params", arg: "JSON", help: "the instance's params" },
      { name: "settings", arg: "JSON", help: `job settings, e.g. '{"pageSize":500,"dispatchMode":"pull"}'` },
      { name: "id", arg: "KEY", help: "the instance's id, a create-once key: submitting it again with the same\nprocessor, params and settings names the same instance (a retried submit\nruns the job once)" },
      { name: "wait", help: "follow it to its end; the exit code is 0 only on SUCCESS" },
      REATTACH,
      ...TOKEN_FLAGS,
    ],
  },
  watch: {
    name: "watch", positional: "ID", summary: "follow an instance with live progress to its end",
    about: `Shows live progress per task name, then the status, result and first errors, as
submit --wait does; a master restart or takeover is waited out (re-attached).
${EXIT_CODES}`,
    flags: [MASTER, REATTACH, ...TOKEN_FLAGS],
  },
  status: {
    name: "status", positional: "[ID]", summary: "show one instance or the newest ones (with their failed tasks' first errors)",
    about: `Without ID, lists the newest instances, each with the count and first errors of its
tasks that failed for good; with ID, prints that instance as JSON (its progress,
failedCount, errors: task id, name, attempt, worker, message).
${EXIT_CODES}`,
    flags: [MASTER, ...TOKEN_FLAGS],
  },
  tasks: {
    name: "tasks", positional: "ID", summary: "list an instance's tasks with their errors",
    about: `Prints every task of the instance that matches, in task order, one per line: id,
status, name, attempt, worker, failed runs and the error of its last failed run. A
running instance shows its live state. Failed tasks are kept after the end (job
setting retainTasks).
${EXIT_CODES}`,
    flags: [
      MASTER,
      { name: "status", arg: "S", help: "only tasks in this status: INIT, PULLED, RUNNING, SUCCESS or FAILED" },
      { name: "name", arg: "N", help: "only tasks of this name" },
      { name: "limit", arg: "N", help: "tasks per request, 1 to 1000 (default 100)" },
      { name: "page", help: "one page only, then \"more: --cursor C\" on stderr when more match" },
      { name: "cursor", arg: "C", help: "start after the page that printed \"more: --cursor C\"" },
      { name: "instance", arg: "ID", hidden: true, help: "the instance (the same as giving ID)" },
      { name: "all", hidden: true, help: "every page (the default; kept for older scripts)" },
      ...TOKEN_FLAGS,
    ],
  },
  kill: {
    name: "kill", positional: "ID", summary: "kill a running instance, or one of its tasks",
    about: `Kills the instance (it ends FAILED), or with --task only that task (it fails as a
run that failed for good; the instance goes on). ${EXIT_CODES}`,
    flags: [
      MASTER,
      { name: "task", arg: "TASK", help: "the task to kill (an id as `taskmill tasks` prints it, e.g. r.0.3)" },
      { name: "reason", arg: "TEXT", help: "why, kept as the error (default \"killed by user\")" },
      ...TOKEN_FLAGS,
    ],
  },
  retry: {
    name: "retry", positional: "ID", summary: "run a FAILED instance again over its failed tasks (and wait for it)",
    about: `Runs a FAILED instance again over its failed tasks: they get a fresh retry budget,
its succeeded tasks are kept, reduce reads every result at the end, and the instance
runs on this master under a new serialNum. Refused (exit 1, with the reason) when it
is RUNNING, ended SUCCESS, is recurring, or its tasks are no longer kept.
${EXIT_CODES}`,
    flags: [
      MASTER,
      { name: "wait", help: "follow it as submit --wait does; the exit code is 0 only on SUCCESS" },
      REATTACH,
      { name: "instance", arg: "ID", hidden: true, help: "the instance (the same as giving ID)" },
      ...TOKEN_FLAGS,
    ],
  },
} satisfies Record<string, CommandSpec>;

/** A client command's name. */
export type ClientCommand = keyof typeof CLIENT_COMMANDS;

/** What the runtime gives the client commands. */
export interface ClientRuntime {
  /** An environment variable (TASKMILL_MASTER, TASKMILL_TOKEN), undefined when unset or not allowed. */
  env(name: string): string | undefined;
  /** Reads a file as text (the token file); throws when it cannot. */
  readFile(path: string): string;
  io: Output;
}

/** The token of --token-file, --token or TASKMILL_TOKEN (H6); a bad source is a usage mistake naming its flag. */
export function tokenOf(p: ParsedArgs, rt: Pick<ClientRuntime, "env" | "readFile" | "io">): string | undefined {
  try {
    const t = resolveToken({ flag: one(p, "token"), file: one(p, "token-file"), env: rt.env("TASKMILL_TOKEN"), readFile: rt.readFile });
    if (t.warning) rt.io.err(t.warning);
    return t.token;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new UsageError(`--${e.message}`);
  }
}

/** The instance a command is about: its ID argument, or --instance (older scripts). */
function instanceOf(p: ParsedArgs): string {
  const id = p.positionals[0] ?? one(p, "instance");
  if (id === undefined || id === "") throw new UsageError("the instance ID is required");
  if (p.positionals[0] !== undefined && one(p, "instance") !== undefined && one(p, "instance") !== id) {
    throw new UsageError(`the instance is given twice: '${id}' and --instance '${one(p, "instance")}'`);
  }
  return id;
}

/**
 * Runs client command `cmd` with `args`; resolves with its exit code.
 * Throws UsageError for a wrong command line; a CliError (a master that
 * does not answer, refuses, or does not know the id) is printed here as
 * "taskmill CMD: message" and its exit code returned.
 */
export async function runClientCommand(cmd: ClientCommand, args: readonly string[], rt: ClientRuntime): Promise<number> {
  const p = parseArgs(CLIENT_COMMANDS[cmd], args);
  const calls = new MasterCalls(masterUrls(p.values.master, rt.env("TASKMILL_MASTER")), tokenOf(p, rt));
  const reattachMs = int(p, "reattach-s", 300, 0) * 1000;
  const io = rt.io;
  let run: () => Promise<number>;
  switch (cmd) {
    case "submit": {
      const settings = json(p, "settings");
      if (settings !== undefined && (typeof settings !== "object" || settings === null || Array.isArray(settings))) {
        throw new UsageError(`--settings: Expected a JSON object, got ${one(p, "settings")}`);
      }
      const o = {
        calls, processor: required(p, "processor"), settings: settings as Record<string, unknown> | undefined,
        params: json(p, "params"), wait: given(p, "wait"), reattachMs, io,
      };
      const id = one(p, "id");
      if (id !== undefined && id === "") throw new UsageError("--id: Expected a non-empty key, got ''");
      run = () => submit(id === undefined ? o : { ...o, instanceId: id });
      break;
    }
    case "watch": {
      const id = instanceOf(p);
      run = () => follow({ calls, id, io, cmd, reattachMs });
      break;
    }
    case "status":
      run = () => status({ calls, id: p.positionals[0], io });
      break;
    case "tasks": {
      const page = given(p, "page");
      if (page && given(p, "all")) throw new UsageError("--all and --page do not go together");
      const o = {
        calls, instance: instanceOf(p), status: one(p, "status"), name: one(p, "name"),
        limit: one(p, "limit") === undefined ? undefined : int(p, "limit", 100), cursor: one(p, "cursor"), page, io,
      };
      run = () => tasks(o);
      break;
    }
    case "kill": {
      const o = { calls, instance: instanceOf(p), task: one(p, "task"), reason: one(p, "reason"), io };
      run = () => kill(o);
      break;
    }
    case "retry": {
      const o = { calls, instance: instanceOf(p), wait: given(p, "wait"), reattachMs, io };
      run = () => retry(o);
      break;
    }
  }
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    io.err(`taskmill ${cmd}: ${e.message}`);
    return e.exitCode;
  }
}

/** True when `cmd` is a client command. */
export function isClientCommand(cmd: string): cmd is ClientCommand {
  return Object.hasOwn(CLIENT_COMMANDS, cmd);
}

