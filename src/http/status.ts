import type { RefusalCode } from "../protocol/replies.ts";

/**
 * HTTP status of each refusal. All are 4xx: the receiver answered. "Gone"
 * (410) says the addressed worker incarnation no longer runs: the master
 * fails its tasks over as after a network error (B9), unlike a rejection (422).
 * "Precondition required" (428) asks for the batch again with the instance's params.
 */
export const REFUSAL_STATUS: Readonly<Record<RefusalCode, 400 | 401 | 403 | 404 | 409 | 410 | 413 | 422 | 428 | 429>> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  unregistered: 409,
  too_large: 413,
  rejected: 422,
  busy: 429,
  not_running: 410,
  // B30: the worker's incarnation was superseded (declared dead, or its id registered again): it drops
  // what it still queues for this master. After not_running, so a bodiless 410 still reads as not_running.
  superseded: 410,
  params_needed: 428,
};

/** The refusal code of an HTTP status (for replies that lost their body). */
export function codeOfStatus(status: number): RefusalCode {
  for (const [code, s] of Object.entries(REFUSAL_STATUS)) if (s === status) return code as RefusalCode;
  return "bad_request";
}
