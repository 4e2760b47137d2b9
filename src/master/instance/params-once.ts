/**
 * Params travel once per worker pool (M6, M7). An instance's params can be
 * megabytes; sent in every start batch they made dispatch ten times slower.
 * The master remembers, per cycle, which worker incarnations it sent them to
 * and leaves them out of later batches and pull notices; a worker that holds
 * no pool for the cycle (it never got the first batch, or freed the pool as
 * idle) refuses such a batch with `params_needed` before taking any task, and
 * the batch goes again, once, with params — no task lost, none run twice.
 */
import type { InstanceSpec } from "../../protocol/messages.ts";
import type { Reply } from "../../protocol/replies.ts";

/** The worker incarnations of one cycle that were sent the params, by worker-table index. */
export class ParamsSent {
  readonly #sent = new Set<number>();

  /**
   * Sends a message built around `spec` to worker `idx` with `send`: with the
   * params the first time, without them after; on `params_needed` once more
   * with them, while `wanted()` says the cycle still wants the answer.
   */
  async send<R extends Reply>(idx: number, spec: InstanceSpec, wanted: () => boolean, send: (instance: InstanceSpec) => Promise<R>): Promise<R> {
    const first = !this.#sent.has(idx);
    this.#sent.add(idx);
    const reply = await send(first ? spec : withoutParams(spec));
    if (first || reply.ok || reply.code !== "params_needed" || !wanted()) return reply;
    return send(spec);
  }
}

/** The spec without its params. */
function withoutParams(spec: InstanceSpec): InstanceSpec {
  const { params: _, ...rest } = spec;
  return rest;
}
