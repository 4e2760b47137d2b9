/**
 * The dashboard's client of the master's user API (same origin): JSON calls
 * (instances, their tasks page by page, kill, retry) and the instance event stream, with the bearer token (kept in
 * sessionStorage) on every request. A 401 is an AuthError so the page can ask
 * for the token.
 */
import type { InstanceView } from "../../../../src/master/master.ts";
import type { TaskPage } from "../../../../src/master/task-pages.ts";
import { readSse, type SseEvent } from "./sse.ts";

const TOKEN_KEY = "taskmill.token";

/** The master refused the token (or none was sent). */
export class AuthError extends Error {
  override name = "AuthError";
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
    const body = await res.json().catch(() => ({})) as T & { error?: string };
    if (res.status === 401) throw new AuthError(body.error ?? "unauthorized");
    if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
    return body;
  }

  /** Instances, newest first. */
  async list(limit = 50): Promise<InstanceView[]> {
    const { instances } = await this.#json<{ instances: InstanceView[] }>(`/api/instances?limit=${limit}`);
    return instances.sort((a, b) => b.createdAt - a.createdAt);
  }

  /** One instance. */
  get(id: string): Promise<InstanceView> {
    return this.#json<InstanceView>(`/api/instances/${encodeURIComponent(id)}`);
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
  retry(id: string): Promise<InstanceView> {
    return this.#json<InstanceView>(`/api/instances/${encodeURIComponent(id)}/retry`, post({}));
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
