// The BullMQ worker process of the peers suite: `node bullmq-worker.js URL PREFIX`.
// One process, two Workers: children (concurrency 100, each returns 1) and
// parents (concurrency 1, sums getChildrenValues()). Talks to the producer over
// IPC: sends {type:"ready"}, answers {type:"stop"} with its peak RSS and CPU, reports
// a failed job as {type:"error"}, and exits when the producer goes away.
import { Worker, type Job } from "bullmq";
import { cpuSecondsSince, rssSampler } from "./peer.ts";
import { BULLMQ_CHILD_CONCURRENCY, CHILDREN_QUEUE, PARENTS_QUEUE, redisConnection } from "./bullmq.ts";

const [url, prefix] = process.argv.slice(2) as [string, string];
if (!url || !prefix || !process.send) throw new Error("usage: node bullmq-worker.js REDIS_URL PREFIX (forked with IPC)");
const send = (m: object) => process.send!(m);
const rss = rssSampler();

const connection = redisConnection(url);
const children = new Worker(CHILDREN_QUEUE, async () => 1, { connection, prefix, concurrency: BULLMQ_CHILD_CONCURRENCY });
const parents = new Worker(PARENTS_QUEUE, async (job: Job) => {
  const values = await job.getChildrenValues<number>();
  let sum = 0;
  for (const key in values) sum += values[key]!;
  return sum;
}, { connection, prefix, concurrency: 1 });
for (const w of [children, parents]) {
  w.on("failed", (job, e) => send({ type: "error", message: `BullMQ job ${job?.queueName ?? "?"}/${job?.id ?? "?"} failed: ${e.message}` }));
  w.on("error", (e) => send({ type: "error", message: `BullMQ worker: ${e.message}` }));
}
await Promise.all([children.waitUntilReady(), parents.waitUntilReady()]);

process.on("disconnect", () => process.exit(1));
// CPU is counted from "ready": the producer starts its clock right after.
const cpu = process.cpuUsage();
process.on("message", (m: { type?: string }) => {
  if (m.type !== "stop") return;
  void Promise.all([children.close(), parents.close()]).then(() => {
    send({ type: "stopped", peakRssMB: rss.stop(), cpuSeconds: cpuSecondsSince(cpu) });
    process.disconnect();
  });
});
send({ type: "ready" });
