/**
 * Following an instance to its end (L5, L6): live bars from its event
 * stream, then its status, result, task count and first errors. A stream
 * cut short — the master restarted, or the instance changed masters (X3) —
 * is opened again; while no master answers, it tries again with backoff for
 * `reattachMs` before giving up (exit 3) — unless none ever answered: then
 * at once. The exit code is the final
 * status's: 0 SUCCESS, 1 FAILED; 4 when the master does not know the id.
 */
import { readEvents } from "../../../src/client/index.ts";
import { ProgressBars } from "../progress-bars.ts";
import { failureLines } from "../failure-lines.ts";
import { CliError, isConnectionError, refused } from "../cli-errors.ts";
import { EXIT } from "../exit-codes.ts";
import { readJson, type MasterCalls } from "../master-calls.ts";
import type { Output } from "../output.ts";
import type { InstanceProgress } from "../../../src/master/index.ts";
import type { InstanceView } from "../../../src/master/master.ts";

/** Options of `follow`. */
export interface FollowOptions {
  calls: MasterCalls;
  id: string;
  io: Output;
  /** The command, for messages ("watch", "submit"). */
  cmd: string;
  /** The master already answered about this instance (a submit, a retry): losing it from the start is a restart too. */
  reached?: boolean;
  /** How long to keep trying while no master answers, ms. @default 300000 */
  reattachMs?: number;
  /** Waits between attempts (a test may pass its own). @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** The time in ms. @default Date.now */
  now?: () => number;
}

/** First pause after the master was lost; doubled per attempt up to MAX_PAUSE_MS. */
const FIRST_PAUSE_MS = 250;
const MAX_PAUSE_MS = 5000;
/** Answers that pass (a takeover in flight, a cap, a proxy between restarts): ask again later. */
const PASSING: readonly number[] = [429, 502, 503, 504];
/** The pause between looks at a view that still says RUNNING after its stream ended. */
const RUNNING_PAUSE_MS = 500;

/** Follows instance `id` to its end; resolves with the exit code (see the module comment). */
export async function follow(o: FollowOptions): Promise<number> {
  const { calls, id, io } = o;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? Date.now;
  const reattachMs = o.reattachMs ?? 300_000;
  const bars = new ProgressBars(io.screen);
  const t0 = now();
  let final: InstanceView | null = null;
  let lostAt: number | null = null;
  let pause = FIRST_PAUSE_MS;
  // A master never reached is a wrong URL or one not started: exit 3 at once, not after minutes.
  let reached = o.reached ?? false;
  const found = (url: string) => {
    reached = true;
    if (lostAt === null) return;
    io.err(`taskmill ${o.cmd}: re-attached to ${url} after ${((now() - lostAt) / 1000).toFixed(1)} s`);
    lostAt = null;
    pause = FIRST_PAUSE_MS;
  };
  for (;;) {
    // The stream: progress as it happens, and the final view as its "done" event.
    const url = calls.url;
    try {
      const res = await fetch(`${url}/api/instances/${encodeURIComponent(id)}/events`, { headers: calls.headers });
      if (res.status === 404) throw refused(404, await readJson(url, res));
      if (res.status === 200 && res.headers.get("content-type")?.startsWith("text/event-stream")) {
        found(url);
        await readEvents(res, (event, data) => {
          const p = JSON.parse(data) as InstanceProgress & InstanceView;
          if (event === "done") final = p;
          const names = p.names ?? p.progress?.names;
          if (names) bars.render({ names });
        });
      } else {
        // 429 (too many streams), 503 (its owner out of reach), 401…: the view below says what now.
        await res.body?.cancel();
      }
    } catch (e) {
      if (e instanceof CliError) throw e;
      // No answer, or the stream was cut (fetch and its body fail with TypeErrors): the view below says what now.
      if (!isConnectionError(e) && !(e instanceof TypeError) && (e as Error | undefined)?.name !== "AbortError") throw e;
    }
    if (final !== null && (final as InstanceView).status !== "RUNNING") break;
    // The view: ended, still running (the stream moved), or no master to be reached.
    try {
      const a = await calls.raw<InstanceView & { error?: string }>((c) => c.api.instances[":id"].$get({ param: { id } }));
      if (a.status === 200) {
        found(a.url);
        if (a.body.status !== "RUNNING") { final = a.body; break; }
      } else if (!PASSING.includes(a.status)) {
        throw refused(a.status, a.body); // 404: an unknown id (exit 4); 401, 400…: no use asking again
      }
    } catch (e) {
      if (!(e instanceof CliError) || e.exitCode !== EXIT.unreachable || !reached) throw e;
      if (lostAt === null) {
        lostAt = now();
        io.err(`taskmill ${o.cmd}: ${e.message} (re-attaching for up to ${Math.round(reattachMs / 1000)} s)`);
      } else if (now() - lostAt >= reattachMs) {
        throw e;
      }
    }
    await sleep(lostAt === null ? RUNNING_PAUSE_MS : pause);
    if (lostAt !== null) pause = Math.min(pause * 2, MAX_PAUSE_MS);
  }
  const v = final as InstanceView;
  const seconds = (now() - t0) / 1000;
  const tasks = v.progress ? Object.values(v.progress.names).reduce((a, n) => a + n.total, 0) : 0;
  io.out(`status: ${v.status}`);
  io.out(`result: ${JSON.stringify(v.result)}`);
  io.out(`tasks:  ${tasks} in ${seconds.toFixed(2)} s`);
  for (const line of failureLines(v)) io.out(line);
  return v.status === "SUCCESS" ? EXIT.success : EXIT.failed;
}
