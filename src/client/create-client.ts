import type { InstanceView, Submission } from "../master/master-types.ts";
import type { TaskPage } from "../master/task-pages.ts";
import type { TaskStatusName } from "../processor/types.ts";
import { statusError } from "./client-error.ts";
import { ValidationError } from "../errors/validation-error.ts";
import { checkClientOptions, type ClientOptions } from "./client-options.ts";
import { followInstance, type ProgressView } from "./follow-instance.ts";
import { masterClient } from "./master-client.ts";

/** What `list` may filter on. */
export interface ListQuery {
  status?: "RUNNING" | "SUCCESS" | "FAILED";
  /** At most this many, newest first (1 to 10,000). @default 100 */
  limit?: number;
}

/** What `tasks` may filter on, and the page to read. */
export interface TasksQuery {
  status?: TaskStatusName;
  name?: string;
  /** Tasks per page, 1 to 1,000. @default 100 */
  limit?: number;
  /** The `cursor` of the page before. */
  cursor?: string;
}

/** Options of `watch` and `wait`. */
export interface FollowOptions {
  /** Stops following: the iteration or the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A client of a master's HTTP user API; every failure is a ClientError naming the URL. */
export interface Client {
  /** Starts an instance of a processor the master has loaded; `instanceId` makes the submit create-once. */
  submit(body: Submission): Promise<{ instanceId: string }>;
  /** One instance's view: live while it runs, else from the store. */
  get(id: string): Promise<InstanceView>;
  /** The newest instances (every master's, when masters share a store). */
  list(query?: ListQuery): Promise<InstanceView[]>;
  /** One page of an instance's tasks, in task order; pass `cursor` on until it is null. */
  tasks(id: string, query?: TasksQuery): Promise<TaskPage>;
  /**
   * The instance's progress as it changes (Server-Sent Events), ending with its
   * final view's; re-attaches across a dropped connection, a master restart or a takeover.
   */
  watch(id: string, options?: FollowOptions): AsyncIterable<ProgressView>;
  /** Resolves with the instance's final view once it has ended, re-attaching as `watch` does. */
  wait(id: string, options?: FollowOptions): Promise<InstanceView>;
  /** Kills an instance, or one of its unfinished tasks. */
  kill(id: string, taskId?: string, reason?: string): Promise<void>;
  /** Runs a FAILED instance again over its failed tasks; resolves with its view, RUNNING again. */
  retry(id: string): Promise<InstanceView>;
}

/** Reads a reply's JSON, or throws the ClientError of its error status. */
async function ok<T>(res: Response, expected: readonly number[] = [200]): Promise<T> {
  if (!expected.includes(res.status)) throw await statusError(res, res.url);
  return await res.json() as T;
}

/** An id as a path segment needs it: a non-empty string. */
function checkId(field: string, id: unknown): string {
  if (typeof id !== "string" || id === "") throw new ValidationError(field, "a non-empty string", id);
  return id;
}

/**
 * A typed client of a master's HTTP API, built on hono/client and the routes'
 * own types. Runs wherever fetch and Web streams do (Node 20, Deno, browsers).
 * @example
 * const client = createClient({ url: "http://127.0.0.1:7070" });
 * const { instanceId } = await client.submit({ processor: "sumSquares" });
 * for await (const p of client.watch(instanceId)) console.log(p.names);
 */
export function createClient(options: ClientOptions): Client {
  const o = checkClientOptions(options);
  const api = masterClient(o.url, o.token, o.fetch).api.instances;
  const source = {
    base: o.url,
    // The stream's Response itself, once its status says it is one.
    async events(id: string, signal?: AbortSignal): Promise<Response> {
      const res = await api[":id"].events.$get({ param: { id } }, { init: { signal: signal ?? null } });
      if (res.status !== 200) throw await statusError(res, res.url);
      return res as unknown as Response;
    },
    get: async (id: string, signal?: AbortSignal) => ok<InstanceView>(await api[":id"].$get({ param: { id } }, { init: { signal: signal ?? null } })),
  };
  const follow = (id: string, f: FollowOptions = {}) => followInstance(source, checkId("id", id), { reconnectForMs: o.reconnectForMs, signal: f.signal });
  return {
    async submit(body) {
      const json: Parameters<typeof api.$post>[0]["json"] = { processor: body.processor };
      // Settings and params are checked by the master (400 naming the field): their route types may be
      // looser or stricter than Submission's, so they pass as they are.
      if (body.settings !== undefined) json.settings = body.settings as never;
      if (body.params !== undefined) json.params = body.params as never;
      if (body.instanceId !== undefined) json.instanceId = body.instanceId;
      return ok<{ instanceId: string }>(await api.$post({ json }), [201, 200]);
    },
    async get(id) {
      return ok<InstanceView>(await api[":id"].$get({ param: { id: checkId("id", id) } }));
    },
    async list(q = {}) {
      const query: { status?: ListQuery["status"]; limit?: string } = {};
      if (q.status !== undefined) query.status = q.status;
      if (q.limit !== undefined) query.limit = String(q.limit);
      return (await ok<{ instances: InstanceView[] }>(await api.$get({ query: query as never }))).instances;
    },
    async tasks(id, q = {}) {
      const query: Record<string, string> = {};
      for (const [k, v] of Object.entries(q)) if (v !== undefined) query[k] = String(v);
      return ok<TaskPage>(await api[":id"].tasks.$get({ param: { id: checkId("id", id) }, query: query as never }));
    },
    watch(id, f) {
      return { [Symbol.asyncIterator]: () => follow(id, f) };
    },
    async wait(id, f) {
      const it = follow(id, f);
      for (;;) {
        const n = await it.next();
        if (n.done) return n.value;
      }
    },
    async kill(id, taskId, reason) {
      const json = reason === undefined ? {} : { reason };
      const res = taskId === undefined
        ? await api[":id"].kill.$post({ param: { id: checkId("id", id) }, json })
        : await api[":id"].tasks[":taskId"].kill.$post({ param: { id: checkId("id", id), taskId: checkId("taskId", taskId) }, json });
      await ok<unknown>(res);
    },
    async retry(id) {
      return ok<InstanceView>(await api[":id"].retry.$post({ param: { id: checkId("id", id) }, json: {} }));
    },
  };
}
