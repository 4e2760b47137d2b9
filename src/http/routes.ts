/**
 * Where each protocol message goes over HTTP: one POST route per message
 * type, under the address of the endpoint (master or worker).
 */
import type { Message } from "../protocol/messages.ts";

/** Path of each message type, relative to its endpoint's address. */
export const MESSAGE_ROUTES = {
  // master, for workers
  register: "/workers/register",
  heartbeat: "/workers/heartbeat",
  report: "/workers/report",
  map: "/workers/map",
  pull: "/workers/pull",
  // worker, for masters
  start: "/tasks/start",
  notifyPull: "/tasks/pull-notice",
  killTask: "/tasks/kill",
  killInstance: "/instances/kill",
  destroyPool: "/instances/destroy",
} as const satisfies Readonly<Record<Message["type"], string>>;
