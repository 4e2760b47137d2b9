import type { JsonValue, MapBatch, WorkerRef } from "../protocol/messages.ts";
import type { MapReply, Refusal } from "../protocol/replies.ts";
import { TransportError } from "../protocol/transport.ts";
import type { LazyAbort } from "./lazy-abort.ts";

/** One page of a `ctx.map` call: its bodies and the index of its first one in the call (B32). */
export interface MapPage {
  first: number;
  bodies: JsonValue[];
}

/**
 * Cuts a `ctx.map` call's bodies into pages of at most `maxCount` bodies and
 * about `maxBytes` of JSON (a body larger than that goes alone), so no
 * request and no store write has to hold a million bodies at once (B32).
 * Sizes are counted in UTF-16 units of the JSON, which is what a page
 * costs in memory and at least its UTF-8 size over the wire.
 */
export function* mapPages(bodies: readonly JsonValue[], maxCount: number, maxBytes: number): Generator<MapPage> {
  let first = 0, bytes = 0;
  for (let i = 0; i < bodies.length; i++) {
    const size = jsonSize(bodies[i]!);
    if (i > first && (i - first >= maxCount || bytes + size > maxBytes)) {
      yield { first, bodies: bodies.slice(first, i) };
      first = i;
      bytes = 0;
    }
    bytes += size + 1;
  }
  if (bodies.length > first || bodies.length === 0) yield { first, bodies: bodies.slice(first) };
}

/** JSON length of a body; small scalars without stringifying them. */
function jsonSize(v: JsonValue): number {
  if (v === null || typeof v === "boolean") return 5;
  if (typeof v === "number") return 24;
  return JSON.stringify(v)?.length ?? 4;
}

/** What sending a map call needs of its worker and its link to the master. */
export interface MapLink {
  /** The worker's current identity at this master (it changes when it registers again). */
  ref(): WorkerRef;
  /** Sends one message to the master. */
  request(msg: MapBatch): Promise<MapReply | Refusal>;
  /** The incarnation `ref()` names now. */
  incarnation(): number;
  /**
   * The master refused incarnation `sent`: registers again (B28: `unregistered`, it restarted;
   * B30: `superseded`, after dropping the superseded incarnation's work).
   */
  refusedAs(sent: number, code: "unregistered" | "superseded"): Promise<void>;
  /** Waits `ms` on the worker's clock. */
  sleep(ms: number): Promise<void>;
  /** Wait before resending after a network failure, in ms. */
  readonly retryMs: number;
  readonly pageSize: number;
  readonly pageBytes: number;
}

/** The fields of a map batch that every page of one call shares. */
export type MapCall = Omit<MapBatch, "type" | "worker" | "bodies" | "first" | "key">;

/**
 * Sends a `ctx.map` call in pages (B32), one after the other: each is resent
 * until the master takes it (busy, network failure, registering again) and
 * stored once by its children's derived ids; the master's answer to each,
 * after its queue had room, paces the next. Resolves with the last page's
 * slow-down advice; throws when the master refuses a page or `signal` aborts.
 */
export async function sendMap(link: MapLink, call: MapCall, bodies: readonly JsonValue[], signal: LazyAbort): Promise<boolean> {
  let slowDown = false;
  for (const page of mapPages(bodies, link.pageSize, link.pageBytes)) {
    const msg: MapBatch = {
      type: "map", worker: link.ref(), ...call, bodies: page.bodies, first: page.first,
      key: `${call.parentTaskId}:${call.parentAttempt}:${call.mapCall}:${page.first}`,
    };
    slowDown = await sendPage(link, msg, signal);
  }
  return slowDown;
}

async function sendPage(link: MapLink, msg: MapBatch, signal: LazyAbort): Promise<boolean> {
  for (;;) {
    if (signal.aborted) throw new Error(`map aborted: ${String(signal.reason)}`);
    try {
      msg.worker = link.ref();
      const sent = link.incarnation();
      const r = await link.request(msg);
      if (r.ok) return r.slowDown;
      if (r.code === "busy") { await link.sleep(r.retryAfterMs ?? link.retryMs); continue; }
      if (r.code === "unregistered") { await link.refusedAs(sent, r.code); continue; }
      // B30: the parent task was the superseded incarnation's; its pool is dropped, so is this call.
      if (r.code === "superseded") await link.refusedAs(sent, r.code);
      throw new Error(`map refused: ${r.error}`);
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      await link.sleep(link.retryMs);
    }
  }
}
