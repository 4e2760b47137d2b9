// The hand-written checks of the hot messages (src/protocol/fast-check.ts) run
// before zod and let a message through without it: so they must never accept
// what zod refuses, and what they accept must be exactly what zod would hand on.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  MasterMessage, WorkerMessage, ReportBatch, ReportColumns, MapBatch, Pull, StartBatch, InstanceSpec, TaskColumns, WorkerRef, Addressee, LoadReport, type Message,
} from "../../src/protocol/messages.ts";
import { fastCheck } from "../../src/protocol/fast-check.ts";
import { reportColumns, taskColumns } from "../../src/protocol/columns.ts";
import { parseMessage } from "../../src/protocol/validate.ts";

const worker = { workerId: "w1@h:1", incarnation: 3, secret: "0123456789abcdef0123456789abcdef" };
/** A master addresses an incarnation without its secret. */
const addressee = { workerId: "w1@h:1", incarnation: 3 };
const load = { freeSlots: 4, cpuFree: 0.5, memFree: null };
const instance = { instanceId: "i-1", serialNum: 1, processor: "p", params: { a: 1 }, consumerSize: 2, fence: 3, taskTimeout: 5000 };
/** One valid message of each hot type, with every optional field somewhere. */
const VALID: Record<"report" | "map" | "pull" | "start", Message> = {
  report: { type: "report", worker, load, reports: reportColumns([
    { instanceId: "i-1", serialNum: 1, handle: 0, taskId: "r", attempt: 0, status: "SUCCESS", result: { x: [1, "y"] }, runMs: 12 },
    { instanceId: "i-1", serialNum: 1, handle: 7, taskId: "r.0.1", attempt: 2, status: "RUNNING", traceId: "t-9" },
    { instanceId: "i-2", serialNum: 4, handle: 8, taskId: "r.0.2", attempt: 0, status: "FAILED", result: "boom", traceId: "" },
    { instanceId: "i-2", serialNum: 4, handle: 9, taskId: "r.0.3", attempt: 1, status: "FAILED", error: { message: "boom", stack: "Error: boom\n    at x" } },
    { instanceId: "i-2", serialNum: 4, handle: 10, taskId: "r.0.4", attempt: 0, status: "FAILED", result: null, error: { message: "no stack" } },
  ]), ack: 7, nacks: [[5, "params_needed", "send params"], [6, "rejected", "no processor"]] },
  map: { type: "map", worker, instanceId: "i-1", serialNum: 1, parentTaskId: "r", parentHandle: 0, parentAttempt: 0, mapCall: 2, taskName: "LEAF", bodies: [1, "two", null, { three: 3 }], first: 5000, key: "r:0:2:5000" },
  pull: { type: "pull", worker, instanceId: "i-1", serialNum: 1, max: 100, reports: reportColumns([{ instanceId: "i-1", serialNum: 1, handle: 3, taskId: "r.0.3", attempt: 0, status: "SUCCESS", result: 9 }]) },
  start: { type: "start", master: "http://m:1", credential: "fedcba9876543210fedcba9876543210", instance, worker: addressee, tasks: taskColumns([
    { handle: 5, taskId: "r.0.0", name: "LEAF", body: [1, 2], attempt: 1 }, { handle: 6, taskId: "r.0.1", name: "OTHER", body: null, attempt: 0 },
  ]) },
};
/** A start batch from a master that sends no fencing token (it is optional). */
const START_WITHOUT_FENCE = { ...VALID.start, instance: { instanceId: "i-1", serialNum: 1, processor: "p", params: null, consumerSize: 2 } };

/** Replaces one random path (or adds a key) of a JSON value with another value, edge cases included. */
const mutate = (v: unknown) => fc.tuple(fc.nat(), fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(-1, 0.5, 1.5, 2 ** 53, "", "x".repeat(257), "RUNNING", "DONE", null, [], {}),
), fc.boolean()).map(([seed, replacement, addKey]) => {
  const copy = JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
  const objs: Array<Record<string, unknown> | unknown[]> = [];
  const paths: Array<[Record<string, unknown> | unknown[], string]> = [];
  const walk = (o: unknown) => {
    if (o && typeof o === "object") {
      objs.push(o as Record<string, unknown>);
      for (const k of Object.keys(o)) { paths.push([o as Record<string, unknown>, k]); walk((o as Record<string, unknown>)[k]); }
    }
  };
  walk(copy);
  if (addKey) (objs[seed % objs.length] as Record<string, unknown>)["extra"] = replacement;
  else {
    const [obj, key] = paths[seed % paths.length]!;
    if (replacement === undefined) delete (obj as Record<string, unknown>)[key];
    else (obj as Record<string, unknown>)[key] = replacement;
  }
  return copy;
});

describe("fast checks of the hot messages", () => {
  it("accept every valid hot message as it is", () => {
    for (const [type, msg] of Object.entries(VALID)) expect(fastCheck(type as Message["type"], JSON.parse(JSON.stringify(msg))), type).toBe(true);
    expect(fastCheck("start", START_WITHOUT_FENCE)).toBe(true);
  });

  it("never accept what zod refuses, and what they accept zod hands on unchanged (12,500 mutations)", () => {
    for (const [type, msg] of [...Object.entries(VALID), ["start", START_WITHOUT_FENCE] as const]) {
      const schema = type === "start" ? WorkerMessage : MasterMessage;
      fc.assert(fc.property(mutate(msg), (raw) => {
        if (!fastCheck(type as Message["type"], raw)) return;
        const z = schema.safeParse(raw);
        expect(z.success, JSON.stringify(raw)).toBe(true);
        // As JSON (what every message arrives as): same keys, same values.
        expect(JSON.parse(JSON.stringify(z.data))).toEqual(JSON.parse(JSON.stringify(raw)));
      }), { numRuns: 2_500 });
    }
  });

  it("an endpoint still names the bad field: what the fast check refuses goes to zod", () => {
    const group = (VALID.report as { reports: ReportColumns[] }).reports[0]!;
    const bad = { ...VALID.report, reports: [{ ...group, attempts: [0, -1] }] };
    expect(parseMessage("master", bad)).toMatchObject({ ok: false, code: "bad_request", field: "reports.0.attempts.1" });
    expect(parseMessage("master", VALID.map)).toEqual({ ok: true, value: VALID.map });
  });

  it("know every field of the schemas they stand in for (a new field must be taught to src/protocol/fast-check.ts)", () => {
    const fields = (o: { shape: object }) => Object.keys(o.shape).sort();
    expect(fields(ReportBatch)).toEqual(["ack", "load", "nacks", "reports", "type", "worker"]);
    expect(fields(ReportColumns)).toEqual(["attempts", "errors", "handles", "instanceId", "results", "runMs", "serialNum", "statuses", "taskIds", "traceIds"]);
    expect(fields(MapBatch)).toEqual(["bodies", "first", "instanceId", "key", "mapCall", "parentAttempt", "parentHandle", "parentTaskId", "serialNum", "taskName", "type", "worker"]);
    expect(fields(Pull)).toEqual(["instanceId", "max", "reports", "serialNum", "type", "worker"]);
    expect(fields(StartBatch)).toEqual(["credential", "instance", "master", "tasks", "type", "worker"]);
    expect(fields(InstanceSpec)).toEqual(["consumerSize", "fence", "instanceId", "params", "processor", "serialNum", "taskTimeout"]);
    expect(fields(TaskColumns)).toEqual(["attempts", "bodies", "handles", "nameIdx", "names", "taskIds"]);
    expect(fields(WorkerRef)).toEqual(["incarnation", "secret", "workerId"]);
    expect(fields(Addressee)).toEqual(["incarnation", "workerId"]);
    expect(fields(LoadReport)).toEqual(["cpuFree", "freeSlots", "memFree"]);
  });

  it("a hot message sent to the wrong role is refused, not waved through", () => {
    expect(parseMessage("worker", VALID.report).ok).toBe(false);
    expect(parseMessage("master", VALID.start).ok).toBe(false);
  });
});
