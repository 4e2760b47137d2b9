// The peers the `peers` suite measures, in order. A peer is one file in this
// folder exporting its PeerInfo, `run` and `cleanup`, plus one line here.
import * as bullmq from "./bullmq.ts";
import * as pgboss from "./pgboss.ts";
import type { PeerInfo, PeerModule } from "./peer.ts";

export type Peer = PeerInfo & PeerModule;

/** Every peer, in the order a run goes. */
export const PEERS: readonly Peer[] = [
  { ...bullmq.bullmqPeer, run: bullmq.run, cleanup: bullmq.cleanup },
  { ...pgboss.pgbossPeer, run: pgboss.run, cleanup: pgboss.cleanup },
];
