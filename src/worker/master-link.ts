/** What a worker keeps of one master it joined: its incarnation there, and the reports on their way to it. */
import type { NackCode, TaskReport } from "../protocol/messages.ts";
import { ReportBuffer } from "./report-buffer.ts";

/** One master this worker has joined. */
export interface Link {
  address: string;
  /** The incarnation this master gave us; -1 before the first registration. */
  incarnation: number;
  /** The incarnation's secret: every message to this master carries it (H13). Empty until registered. */
  secret: string;
  /** This master's credential: its messages must carry it (H16). Empty until registered. */
  credential: string;
  /** The key a master hands its own in-process worker, sent with each registration (H17). */
  ownKey: string | undefined;
  reports: ReportBuffer;
  flushing: boolean;
  flushScheduled: boolean;
  heartbeat: number | undefined;
  registering: Promise<void> | null;
  /** The report batch on its way, not yet answered: a registration lists its tasks as held too (B28). */
  sending: readonly TaskReport[];
  /** W5: the reports riding on pulls on their way, not yet answered (held too, B28). */
  readonly carried: Set<readonly TaskReport[]>;
  /** Heartbeats in a row this master did not answer: from one on, its pools are adrift (B36). */
  unanswered: number;
  /** W4: the last id of the batches that rode on this master's report replies; a batch of that id or lower is not run again. */
  lastBatch: number;
  /** W4: batches received since the last report that reached the master: a report goes to acknowledge them, even with nothing else to say. */
  ackOwed: boolean;
  /** W4: the received batches refused, as [id, code, why], until a report carrying them is answered. */
  nacks: Array<[number, NackCode, string]>;
}

/** A link to a master not registered with yet (`ownKey`: only the master's own in-process worker has one, H17). */
export function newLink(address: string, ownKey?: string): Link {
  return { address, incarnation: -1, secret: "", credential: "", ownKey, reports: new ReportBuffer(), flushing: false, flushScheduled: false, heartbeat: undefined, registering: null, sending: [], carried: new Set(), unanswered: 0,
    lastBatch: 0, ackOwed: false, nacks: [] };
}
