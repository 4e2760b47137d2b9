/**
 * One valid message of every kind masters and workers exchange, each with a
 * reply of its type: what the transport suite sends through every Transport.
 * Values carry unicode, nesting and nulls, so a transport that bends JSON shows.
 */
import type { InstanceSpec, Message, WorkerRef } from "../../src/protocol/messages.ts";
import type { ReplyOf } from "../../src/protocol/transport.ts";
import { reportColumns, taskColumns } from "../../src/protocol/columns.ts";

const worker: WorkerRef = { workerId: "wörker-1", incarnation: 2, secret: "5f0c2a9e8d7b6a5f4e3d2c1b0a998877" };
/** A master addresses an incarnation without its secret, and proves itself with its credential. */
const addressee = { workerId: "wörker-1", incarnation: 2 };
const from = { master: "http://master:7070", credential: "c0ffee00c0ffee00c0ffee00c0ffee00" };
const load = { freeSlots: 3, cpuFree: 0.25, memFree: null };
const instance: InstanceSpec = {
  instanceId: "inst-1", serialNum: 1, processor: "wordCount", params: { files: ["a.txt", "ü.txt"], deep: { n: null } }, consumerSize: 4, fence: 2,
};

/** A message of each type, keyed by type. */
export const SAMPLE_MESSAGES: { readonly [T in Message["type"]]: Extract<Message, { type: T }> } = {
  register: { type: "register", workerId: "wörker-1", address: "http://10.0.0.1:7000", slots: 4, load, ownKey: "0123456789abcdef0123456789abcdef" },
  heartbeat: { type: "heartbeat", worker, load, instances: ["inst-1", "inst-2"] },
  report: {
    type: "report", worker, load, reports: reportColumns([
      { instanceId: "inst-1", serialNum: 1, handle: 7, taskId: "t-7", attempt: 0, status: "SUCCESS", result: { sum: [1, "日本", null] }, traceId: "trace-7" },
      { instanceId: "inst-1", serialNum: 1, handle: 8, taskId: "t-8", attempt: 1, status: "RUNNING" },
    ]),
  },
  map: {
    type: "map", worker, instanceId: "inst-1", serialNum: 1, parentTaskId: "t-7", parentHandle: 7, parentAttempt: 0, mapCall: 0,
    taskName: "LEAF", bodies: [1, "🚀", null, { k: [true, { v: -2.5 }] }, []], key: "t-7/0/0",
  },
  pull: { type: "pull", worker, instanceId: "inst-1", serialNum: 1, max: 10 },
  start: {
    type: "start", ...from, instance, worker: addressee,
    tasks: taskColumns([{ handle: 1, taskId: "t-1", name: "CHILD", body: { x: 1, s: "ключ" }, attempt: 0 }, { handle: 2, taskId: "t-2", name: "CHILD", body: null, attempt: 3 }]),
  },
  notifyPull: { type: "notifyPull", ...from, instance, worker: addressee, pageSize: 5 },
  killTask: { type: "killTask", ...from, instanceId: "inst-1", taskId: "t-1", reason: "operator said so" },
  killInstance: { type: "killInstance", ...from, instanceId: "inst-1", reason: "operator said so" },
  destroyPool: { type: "destroyPool", ...from, instanceId: "inst-1" },
};

/** A reply of each message type's kind, keyed by type. */
export const SAMPLE_REPLIES: { readonly [T in Message["type"]]: ReplyOf[T] } = {
  register: { ok: true, incarnation: 3, secret: "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d", credential: "c0ffee00c0ffee00c0ffee00c0ffee00" },
  heartbeat: { ok: true },
  report: { ok: true, applied: 1, refused: 1 },
  map: { ok: true, stored: 4, slowDown: true },
  pull: { ok: true, tasks: taskColumns([{ handle: 9, taskId: "t-9", name: "LEAF", body: { n: "ü" }, attempt: 1 }]) },
  start: { ok: true, accepted: 2 },
  notifyPull: { ok: true },
  killTask: { ok: true },
  killInstance: { ok: true },
  destroyPool: { ok: true },
};

/** The endpoint role that receives a message of `type`. */
export function roleOf(type: Message["type"]): "master" | "worker" {
  return type === "register" || type === "heartbeat" || type === "report" || type === "map" || type === "pull" ? "master" : "worker";
}
