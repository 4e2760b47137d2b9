/**
 * taskmill/client: a typed client of a master's HTTP API (hono/client over the
 * routes' types), Web-standard only, for Node, Deno and browsers.
 * @module
 */
export { createClient, type Client, type ListQuery, type TasksQuery, type FollowOptions } from "./create-client.ts";
export type { ClientOptions } from "./client-options.ts";
export { ClientError } from "./client-error.ts";
export { masterClient, type MasterClient } from "./master-client.ts";
export { serverEvents, readEvents, type ServerEvent } from "./sse.ts";
export type { ProgressView } from "./follow-instance.ts";
export type { InstanceView, Submission, JobSettings, TaskPage, TaskView } from "../index.ts";
