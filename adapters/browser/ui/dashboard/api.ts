/**
 * The dashboard's client of the master's user API (same origin): JSON calls
 * (instances filtered and paged, processors, submit, tasks page by page, kill,
 * retry) and the instance event stream, with the bearer token (kept in
 * sessionStorage) on every request. A 401 is an AuthError so the page can ask
 * for the token.
 *
 * The console reads the user API as the README describes it (the instance view's
 * params, settings and startedAt, the list's `next` cursor, /api/processors);
 * a master without them still works: the fields show "—", the processor filter
 * is applied to the page read, and the submit form takes a typed name.
 */
import type { InstanceView } from "../../../../src/master/master.ts";
import type { JsonValue } from "../../../../src/protocol/messages.ts";
import type { TaskPage } from "../../../../src/master/task-pages.ts";
import { readSse, type SseEvent } from "./sse.ts";

const TOKEN_KEY = "taskmill.token";

/** An instance as the console reads it: the fields a master may not send yet are optional. */
export type View = Omit<InstanceView, "params" | "settings" | "startedAt"> & {
  /** What it was submitted with (null: none); absent from an older master. */
  params?: JsonValue;
  /** Its settings with every default filled in; absent from an older master. */
  settings?: Record<string, unknown>;
  /** When its current run started; absent from an older master. */
  startedAt?: number | null;
};

/** Instance statuses, for the filter. */
export const INSTANCE_STATUSES = ["RUNNING", "SUCCESS", "FAILED"] as const;
/** Task statuses, for the filter. */
export const TASK_STATUSES = ["INIT", "PULLED", "RUNNING", "SUCCESS", "FAILED"] as const;

/** What the instance list asks for. */
export interface ListQuery {
  status?: string;
  processor?: string;
  limit: number;
  /** The `next` of the page before; absent for the first. */
  before?: string | null;
}

/** A page of instances. */
export interface InstancePage {
  instances: View[];
  /**
   * The cursor of the next (older) page, null at the end; undefined when the
   * master does not page its list (then `processor` was filtered here).
   */
  next: string | null | undefined;
}

/** A processor this master has loaded. */
export interface ProcessorInfo {
  name: string;
  kind: string;
}

/** The master refused the token (or none was sent). */
export class AuthError extends Error {
  override name = "AuthError";
}

/** An error answer of the API: its status and the field it names, if any. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(message: string, readonly status: number, readonly field?: string) {
    super(message);
  }
}

/** The user API of the master that served the page. */
export class Api {
  constructor(readonly base = "") {}

  /** The token kept for this tab, if any. */
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  /** Keeps `token` for this tab (null forgets it). */
  setToken(token: string | null): void {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    const t = this.token;
    return t ? { ...extra, authorization: `Bearer ${t}` } : extra;
  }

  async #json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const res = await fetch(this.base + path, { ...init, headers: this.#headers((init.headers ?? {}) as Record<string, string>) });
    const body = await res.json().catch(() => ({})) as T & { error?: string; field?: string };
    if (res.status === 401) throw new AuthError(body.error ?? "unauthorized");
    if (!res.ok) throw new ApiError(body.error ?? `HTTP ${res.status}`, res.status, body.field);
    return body;
  }

  /** A page of instances, newest first. */
  async list(q: ListQuery): Promise<InstancePage> {
    const params = new URLSearchParams({ limit: String(q.limit) });
    if (q.status) params.set("status", q.status);
    if (q.processor) params.set("processor", q.processor);
    if (q.before) params.set("before", q.before);
    const body = await this.#json<{ instances: View[]; next?: string | null }>(`/api/instances?${params}`);
    let instances = body.instances.sort((a, b) => b.createdAt - a.createdAt);
    // A master that does not page (no `next`) does not filter by processor either: filter the page read.
    if (body.next === undefined && q.processor) instances = instances.filter((i) => i.processor === q.processor);
    return { instances, next: body.next };
  }

  /** What this master has loaded; null when it does not say (an older master: no such route). */
  async processors(): Promise<ProcessorInfo[] | null> {
    try {
      return (await this.#json<{ processors: ProcessorInfo[] }>("/api/processors")).processors;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }

  /** Submits a job; resolves with its id. */
  async submit(body: { processor: string; params?: JsonValue; settings?: Record<string, unknown>; instanceId?: string }): Promise<string> {
    return (await this.#json<{ instanceId: string }>("/api/instances", post(body))).instanceId;
  }

  /** One instance. */
  get(id: string): Promise<View> {
    return this.#json<View>(`/api/instances/${encodeURIComponent(id)}`);
  }

  /** Kills a running instance. */
  async kill(id: string, reason: string): Promise<void> {
    await this.#json(`/api/instances/${encodeURIComponent(id)}/kill`, post({ reason }));
  }

  /** Kills one unfinished task of a running instance. */
  async killTask(id: string, taskId: string, reason: string): Promise<void> {
    await this.#json(`/api/instances/${encodeURIComponent(id)}/tasks/${encodeURIComponent(taskId)}/kill`, post({ reason }));
  }

  /** A page of an instance's tasks in task order (B25); `cursor` is the page before's, absent for the first. */
  tasks(id: string, q: { status?: string; name?: string; limit?: number; cursor?: string | null }): Promise<TaskPage> {
    const params = new URLSearchParams();
    if (q.status) params.set("status", q.status);
    if (q.name) params.set("name", q.name);
    if (q.limit !== undefined) params.set("limit", String(q.limit));
    if (q.cursor) params.set("cursor", q.cursor);
    return this.#json<TaskPage>(`/api/instances/${encodeURIComponent(id)}/tasks?${params}`);
  }

  /** Runs a FAILED instance again over its failed tasks (B26); resolves with it RUNNING. */
  retry(id: string): Promise<View> {
    return this.#json<View>(`/api/instances/${encodeURIComponent(id)}/retry`, post({}));
  }

  /**
   * Streams the instance's events (`progress`, then `done`) into `on` until
   * the stream ends or `signal` aborts. EventSource cannot send a header,
   * so this reads the SSE stream through fetch.
   */
  async events(id: string, on: (e: SseEvent) => void, signal: AbortSignal): Promise<void> {
    const res = await fetch(`${this.base}/api/instances/${encodeURIComponent(id)}/events`, { headers: this.#headers({ accept: "text/event-stream" }), signal });
    if (res.status === 401) throw new AuthError("unauthorized");
    if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
    await readSse(res.body, on);
  }
}

function post(body: unknown): RequestInit {
  return { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}
