// taskmill/node's startMaster and startWorker: options checked by name before anything opens; handles that close.
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMaster, type StartMasterOptions } from "../../adapters/node/start-master.ts";
import { startWorker, type StartWorkerOptions } from "../../adapters/node/start-worker.ts";
import { createClient, ClientError } from "../../src/client/index.ts";
import { defineMap, MemoryStore } from "../../src/index.ts";

const quiet = { warn: () => undefined };
const echo = defineMap<{ x: number }>({ async process(ctx) { return { ok: true, result: ctx.params.x }; } });

describe("startMaster and startWorker", () => {
  it("K7: bad options are refused with a ValidationError naming the option and what was expected, before any store or port is opened", async () => {
    const dir = mkdtempSync(join(tmpdir(), "taskmill-options-"));
    try {
      const file = join(dir, "never.db");
      const master = async (o: Record<string, unknown>) => startMaster({ port: 0, store: `sqlite:${file}`, ...quiet, ...o } as StartMasterOptions);
      await expect(master({ port: -1 })).rejects.toThrow("port: Expected an integer from 0 to 65535, got -1");
      await expect(master({ slots: 0 })).rejects.toThrow("slots: Expected an integer >= 1, got 0");
      await expect(master({ store: 42 })).rejects.toThrow('store: Expected "sqlite:FILE", "postgres://user@host:port/db", "memory" or a TaskStore, got 42');
      await expect(master({ processors: { notOne: 1 } })).rejects.toThrow("processors: Expected an object with at least one processor");
      await expect(master({ advertise: "m1:7070" })).rejects.toThrow('advertise: Expected an http:// or https:// URL like http://127.0.0.1:7070, got "m1:7070"');
      await expect(master({ shared: { leaseMs: 10 } })).rejects.toThrow("shared.leaseMs: Expected");
      await expect(master({ stor: "memory" })).rejects.toThrow('stor: Expected one of the options of startMaster (port, host, store,');
      await expect(master({ host: "0.0.0.0" })).rejects.toThrow("host: Expected a loopback address");
      expect(existsSync(file)).toBe(false);

      const worker = async (o: Record<string, unknown>) => startWorker({ master: "http://127.0.0.1:1", processors: { echo }, ...quiet, ...o } as StartWorkerOptions);
      await expect(worker({ master: [] })).rejects.toThrow("master: Expected a master's URL or a non-empty array of them, got an array of 0");
      await expect(worker({ master: ["http://127.0.0.1:1", "localhost:2"] })).rejects.toThrow('master[1]: Expected an http:// or https:// URL like http://127.0.0.1:7070, got "localhost:2"');
      await expect(worker({ processors: undefined })).rejects.toThrow("processors: Expected a processor module's path or an object of processors by name, got undefined");
      await expect(worker({ processors: join(dir, "missing.js") })).rejects.toThrow("no such file");
      await expect(worker({ heartbeatMs: 1.5 })).rejects.toThrow("heartbeatMs: Expected an integer >= 1, got 1.5");
      await expect(worker({ insecure: "yes" })).rejects.toThrow('insecure: Expected true or false, got "yes"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("K8: a master and a worker started in-process run a job; close() and Symbol.asyncDispose stop them, twice is harmless, and a caller's store is closed with its master", async () => {
    const store = new MemoryStore();
    // The real store, its close counted.
    let closed = 0;
    const close = store.close.bind(store);
    store.close = async () => { closed++; await close(); };
    const m = await startMaster({ port: 0, store, processors: { echo }, ...quiet });
    const w = await startWorker({ master: m.url, processors: { echo }, id: "w1", ...quiet });
    expect(m.url).toBe(`http://127.0.0.1:${m.port}`);
    expect(m.store).toBe(store);
    expect(w.id).toBe("w1");
    const client = createClient({ url: m.url });
    const { instanceId } = await client.submit({ processor: "echo", params: { x: 5 } });
    expect((await client.wait(instanceId)).result).toBe(5);
    expect(m.master.workerCount()).toBeGreaterThanOrEqual(1);
    await w[Symbol.asyncDispose]();
    await w.close();
    await m[Symbol.asyncDispose]();
    await m.close();
    const down = await client.list().then(() => null, (e: unknown) => e);
    expect(down).toBeInstanceOf(ClientError);
    expect((down as ClientError).status).toBeNull();
    expect(closed).toBe(1);
  });
});
