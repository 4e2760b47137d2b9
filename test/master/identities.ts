// What a test that speaks for a worker or a master needs and the API never shows: the
// worker's secret (H13) and the master's credential (H16), read off the recorded network.
import type { Addressee, Message, WorkerRef } from "../../src/protocol/messages.ts";

/** The requests a `recordRequests` recorder saw. */
interface Recorded {
  readonly sent: ReadonlyArray<{ to: string; msg: Message }>;
}

/** The identity (secret included) worker `workerId` used in its latest recorded message to a master, if any. */
export function refOf(rec: Recorded, workerId: string): WorkerRef | undefined {
  for (let i = rec.sent.length - 1; i >= 0; i--) {
    const m = rec.sent[i]!.msg;
    if ((m.type === "report" || m.type === "heartbeat" || m.type === "map" || m.type === "pull") && m.worker.workerId === workerId) return m.worker;
  }
  return undefined;
}

/** The sender and credential of the latest recorded message of a master to workers (H16). */
export function credentialOf(rec: Recorded): { master: string; credential: string } {
  for (let i = rec.sent.length - 1; i >= 0; i--) {
    const m = rec.sent[i]!.msg;
    if ("credential" in m) return { master: m.master, credential: m.credential };
  }
  throw new Error("no message of a master to a worker was recorded");
}

/** A well-formed secret that is nobody's. */
export const FORGED_SECRET = "00000000000000000000000000000000";

/** `a` with a forged secret: what a token holder who saw `workerId#incarnation` in the API could send. */
export function forged(a: Addressee): WorkerRef {
  return { workerId: a.workerId, incarnation: a.incarnation, secret: FORGED_SECRET };
}
