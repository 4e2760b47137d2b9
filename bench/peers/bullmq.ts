// BullMQ flows as a peer: a FlowProducer adds one parent with n children in
// one atomic call; a separate worker process (bullmq-worker.ts) runs the
// children (each returns 1, concurrency 100) and the parent (sums
// getChildrenValues()). Timed: add → the parent's "completed" event, seen
// through QueueEvents. Peak RSS: the producer's (this process), and the worker's.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { FlowProducer, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { checkSum, cpuSecondsSince, rssSampler, type PeerInfo, type PeerMeasure } from "./peer.ts";

export const CHILDREN_QUEUE = "children";
export const PARENTS_QUEUE = "parents";
/** Concurrency of the children's Worker (PERF-NOTES: 1 worker × concurrency 100). */
export const BULLMQ_CHILD_CONCURRENCY = 100;

export const bullmqPeer: PeerInfo = {
  name: "bullmq",
  module: "bullmq",
  service: "redis",
  workers: `1 worker process: children concurrency ${BULLMQ_CHILD_CONCURRENCY}, parent concurrency 1; producer in its own process`,
};

/** BullMQ connection options for a redis:// URL (workers need maxRetriesPerRequest: null). */
export function redisConnection(url: string): { host: string; port: number; db: number; maxRetriesPerRequest: null } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379), db: Number(u.pathname.slice(1) || 0), maxRetriesPerRequest: null };
}

type WorkerStats = { peakRssMB: number; cpuSeconds: number };
type WorkerMessage = { type: "ready" } | ({ type: "stopped" } & WorkerStats) | { type: "error"; message: string };

/** The worker process, once it is ready; `failed` rejects when a job fails or the process dies. */
interface WorkerProcess {
  failed: Promise<never>;
  /** Closes the workers; their peak RSS and CPU since ready. */
  stop(): Promise<WorkerStats>;
  kill(): void;
}

function startWorker(url: string, prefix: string): Promise<WorkerProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./bullmq-worker.js", import.meta.url)), [url, prefix], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let onStopped: ((stats: WorkerStats) => void) | null = null;
  let fail: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => { fail = reject; });
  failed.catch(() => undefined);
  return new Promise((resolve, reject) => {
    child.on("message", (m: WorkerMessage) => {
      if (m.type === "ready") {
        resolve({
          failed,
          stop: () => new Promise((r) => { onStopped = r; child.send({ type: "stop" }); }),
          kill: () => { child.kill(); },
        });
      } else if (m.type === "stopped") onStopped?.({ peakRssMB: m.peakRssMB, cpuSeconds: m.cpuSeconds });
      else if (m.type === "error") fail(new Error(m.message));
    });
    child.on("exit", (code, signal) => {
      const e = new Error(`bullmq worker process exited (${signal ?? `code ${code}`})`);
      reject(e);
      if (onStopped === null) fail(e);
    });
  });
}

/** One measurement: n children under one parent, summed. */
export async function run(n: number, url: string, tag: string): Promise<PeerMeasure> {
  const connection = redisConnection(url);
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const version = /redis_version:(\S+)/.exec(await redis.info("server"))?.[1] ?? "?";
  const worker = await startWorker(url, tag);
  const events = new QueueEvents(PARENTS_QUEUE, { connection, prefix: tag });
  const flows = new FlowProducer({ connection, prefix: tag });
  try {
    await Promise.all([events.waitUntilReady(), flows.waitUntilReady()]);
    const rss = rssSampler();
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const children = Array.from({ length: n }, (_, i) => ({ name: "child", queueName: CHILDREN_QUEUE, data: { i } }));
    const node = await flows.add({ name: "parent", queueName: PARENTS_QUEUE, data: { n }, children });
    const added = performance.now();
    const sum: unknown = await Promise.race([node.job.waitUntilFinished(events), worker.failed]);
    const done = performance.now();
    const cpuSeconds = cpuSecondsSince(cpu);
    const peakRssMB = rss.stop();
    checkSum("bullmq", sum, n);
    const w = await worker.stop();
    return {
      n, seconds: (done - t0) / 1000, sum: sum as number, peakRssMB, workerPeakRssMB: w.peakRssMB, cpuSeconds, workerCpuSeconds: w.cpuSeconds,
      addSeconds: (added - t0) / 1000, server: `Redis ${version}`,
    };
  } finally {
    worker.kill();
    await Promise.allSettled([events.close(), flows.close()]);
    await deleteKeys(redis, tag);
    redis.disconnect();
  }
}

/** Removes every key under the prefix `tag`. */
async function deleteKeys(redis: Redis, tag: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${tag}:*`, "COUNT", 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== "0");
}

export async function cleanup(url: string, tag: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  try {
    await deleteKeys(redis, tag);
  } finally {
    redis.disconnect();
  }
}
