// The master, its workers and the WASM core run a MapReduce job under Deno, from the sources.
import assert from "node:assert/strict";
import { Master, Worker, ManualClock, InProcessNetwork, MemoryStore, defineMapReduce } from "../../src/index.ts";

const squares = defineMapReduce({
  async process(ctx) {
    if (ctx.isRoot) {
      await ctx.map(Array.from({ length: 500 }, (_, i) => i), "NUM");
      return { ok: true };
    }
    const x = ctx.body as number;
    return { ok: true, result: x * x };
  },
  async reduce(ctx) {
    let sum = 0;
    for await (const r of ctx.results) if (r.name === "NUM") sum += r.result as number;
    return { ok: true, result: sum };
  },
});

Deno.test("a MapReduce job runs to the right result under Deno", async () => {
  const clock = new ManualClock(0);
  const network = new InProcessNetwork(clock);
  const processors = { squares };
  const own = new Worker({ workerId: "own", address: "own", transport: network, clock, processors });
  const master = new Master({ store: new MemoryStore(), transport: network, clock, address: "master", ownWorker: own });
  await master.start();
  const w = new Worker({ workerId: "w1", address: "w1", transport: network, clock, processors });
  await w.join("master");
  const id = await master.submit({ processor: "squares" });
  let done: Awaited<ReturnType<Master["waitFor"]>> | undefined;
  void master.waitFor(id).then((v) => { done = v; });
  await clock.until(() => done !== undefined);
  assert.equal(done!.status, "SUCCESS");
  assert.equal(done!.result, (499 * 500 * 999) / 6);
  master.close();
  own.close();
  w.close();
});
