// A worker answering a start batch with a 64 MiB body (M12): the master reads at most
// maxReplyBytes of it, keeps its memory, and treats the batch as a failed dispatch (B9):
// the tasks go back to INIT and run on a worker that answers properly.
import { describe, it, expect, afterEach } from "vitest";
import { createServer, type Server } from "node:http";
import { HttpTransport } from "../../src/http/index.ts";
import { nodeHttpFetch } from "../../adapters/node/http-fetch.ts";
import { startHttpCluster } from "../http/cluster.ts";
import { sumOfSquares } from "./processors.ts";
import { heapAfterGc } from "../heap.ts";
import { lazyBody } from "../http/lazy-body.ts";

const MiB = 2 ** 20;
const cleanups: Array<() => unknown> = [];
afterEach(async () => { for (const f of cleanups.splice(0).reverse()) await f(); });


describe("a hostile worker", () => {
  it("M12: a worker answering start batches with 64 MiB each costs the master no more than the cap; its batches fail over and the job ends right", async () => {
    const { base, master, stop } = await startHttpCluster({ workers: 1, fetch: nodeHttpFetch });
    cleanups.push(stop);
    const written: Array<Promise<number>> = [];
    const evil: Server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.url?.endsWith("/tasks/start")) {
          res.writeHead(200, { "content-type": "application/json" });
          written.push(lazyBody(res, 64 * MiB, '{"ok":true,"accepted":1,"pad":"'));
        } else {
          res.writeHead(200, { "content-type": "application/json" });
          res.end('{"ok":true}');
        }
      });
    });
    await new Promise<void>((r) => evil.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => { evil.closeAllConnections(); evil.close(() => r()); }));
    const evilUrl = `http://127.0.0.1:${(evil.address() as { port: number }).port}`;
    const sender = new HttpTransport("http://127.0.0.1:9", { fetch: nodeHttpFetch });
    const reg = await sender.request(base, { type: "register", workerId: "evil", address: evilUrl, slots: 1000, load: { freeSlots: 1000, cpuFree: 1, memFree: 1 } });
    expect(reg.ok).toBe(true);

    const before = heapAfterGc();
    const id = await master.submit({ processor: "sumSquares", params: { n: 400, ranges: 8 }, settings: { execOnMaster: false, route: "round-robin" } });
    const v = await master.waitFor(id);
    expect(v.status).toBe("SUCCESS");
    expect(v.result).toEqual({ sum: sumOfSquares(400), count: 400 });
    // The evil worker got batches, and none of its replies was read to its end.
    expect(written.length).toBeGreaterThanOrEqual(1);
    for (const bytes of await Promise.all(written)) expect(bytes).toBeLessThan(40 * MiB);
    // Nothing of those replies is kept.
    expect(heapAfterGc() - before).toBeLessThan(16 * MiB);
  });
});
