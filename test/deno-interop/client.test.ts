// taskmill/client on Deno (deno.json's "./client") against a Node master: the client is Web-standard only.
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { startMaster } from "../../adapters/node/start-master.ts";
import { defineMapReduce } from "../../src/index.ts";
import { DENO, denoDir } from "./deno-cli.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

const sumSquares = defineMapReduce<{ n: number }, number>({
  async process(ctx) {
    if (ctx.isRoot) {
      await ctx.map(Array.from({ length: ctx.params.n }, (_, i) => i), "NUM");
      return { ok: true };
    }
    return { ok: true, result: ctx.body * ctx.body };
  },
  async reduce(ctx) {
    let sum = 0;
    for await (const r of ctx.results) if (r.name === "NUM") sum += r.result as number;
    return { ok: true, result: sum };
  },
});

describe("taskmill/client on Deno", () => {
  it("K9: under Deno the client submits to a Node master, watches the instance to its end and waits for its result; a 404 is a ClientError naming the URL", { timeout: 60_000 }, async () => {
    const m = await startMaster({ port: 0, store: "memory", processors: { sumSquares }, warn: () => undefined });
    const dir = denoDir();
    try {
      // Async: this process's master must go on serving while Deno runs.
      const { stdout } = await promisify(execFile)(DENO, [
        "run", "--config", join(root, "adapters/deno/deno.json"), "--cached-only", "--allow-net=127.0.0.1", `--allow-read=${root}`,
        join(root, "test/deno-interop/client-script.ts"), m.url,
      ], { env: { ...process.env, DENO_DIR: dir }, timeout: 45_000 });
      expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toEqual({
        last: "SUCCESS", status: "SUCCESS", result: (199 * 200 * 399) / 6,
        notFound: { status: 404, field: "id", url: `${m.url}/api/instances/nope` },
      });
    } finally {
      await m.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
