/** What a worker keeps of one master it joined: its incarnation there, and the reports on their way to it. */
import type { TaskReport } from "../protocol/messages.ts";
import { ReportBuffer } from "./report-buffer.ts";

/** One master this worker has joined. */
export interface Link {
  address: string;
  /** The incarnation this master gave us; -1 before the first registration. */
  incarnation: number;
  reports: ReportBuffer;
  flushing: boolean;
  flushScheduled: boolean;
  heartbeat: number | undefined;
  registering: Promise<void> | null;
  /** The report batch on its way, not yet answered: a registration lists its tasks as held too (B28). */
  sending: readonly TaskReport[];
}

/** A link to a master not registered with yet. */
export function newLink(address: string): Link {
  return { address, incarnation: -1, reports: new ReportBuffer(), flushing: false, flushScheduled: false, heartbeat: undefined, registering: null, sending: [] };
}
