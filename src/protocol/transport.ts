import type { Message, MasterMessage, WorkerMessage } from "./messages.ts";
import type { Reply, StartReply, RegisterReply, ReportReply, MapReply, PullReply, HeartbeatReply, AckReply } from "./replies.ts";

/** The reply type of each message type. */
export interface ReplyOf {
  start: StartReply;
  notifyPull: AckReply;
  killTask: AckReply;
  killInstance: AckReply;
  destroyPool: AckReply;
  register: RegisterReply;
  heartbeat: HeartbeatReply;
  report: ReportReply;
  map: MapReply;
  pull: PullReply;
}

/** How a request failed to get a reply (B9 treats all of these as "maybe down"). */
export type TransportFailure = "refused" | "timeout" | "server";

/** A request that got no reply: connection refused, timed out, or a 5xx. */
export class TransportError extends Error {
  override readonly name = "TransportError";
  constructor(readonly failure: TransportFailure, readonly address: string, detail: string) {
    super(`${failure} from ${address}: ${detail}`);
  }
}

/** Handles one received message; returns its reply. */
export type Handler<M extends Message = Message> = (msg: M) => Promise<Reply>;

/**
 * Message delivery between masters and workers. `serve` makes an endpoint
 * reachable at an address; `request` sends a message to one and resolves with
 * its reply, or rejects with a TransportError. Implementations: in-process
 * (tests, one-process deployments) and HTTP (Hono).
 */
export interface Transport {
  request<M extends Message>(to: string, msg: M, options?: { timeoutMs?: number }): Promise<ReplyOf[M["type"]]>;
  serve(address: string, role: "master", handler: Handler<MasterMessage>): () => void;
  serve(address: string, role: "worker", handler: Handler<WorkerMessage>): () => void;
}
