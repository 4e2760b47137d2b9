/**
 * Where each protocol message goes over HTTP: one POST route per message
 * type, under the address of the endpoint (master or worker).
 */
import type { Message } from "../protocol/messages.ts";

/** Path of each message type, relative to its endpoint's address. */
export const MESSAGE_ROUTES: Readonly<Record<Message["type"], string>> = {
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
};

/** Message types a master endpoint receives. */
export const MASTER_TYPES = ["register", "heartbeat", "report", "map", "pull"] as const;
/** Message types a worker endpoint receives. */
export const WORKER_TYPES = ["start", "notifyPull", "killTask", "killInstance", "destroyPool"] as const;
