// B35: damaged data in the store at runtime stops the master with a clear
// message naming the file, and a non-zero exit — not a 500 for every request
// from then on. A real master process; a page in the middle of its SQLite file
// is overwritten while it runs (the build is needed: npm run build).
import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, openSync, writeSync, closeSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../../adapters/node/sqlite/index.ts";
import { taskmill, killAll, requireBuild, CHAOS_PROCESSORS } from "../processes.ts";

const dirs: string[] = [];
afterAll(async () => {
  await killAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A store file holding a finished instance of 20,000 tasks: many pages, none read at start. */
async function fileWithTasks(file: string): Promise<void> {
  const store = new SqliteStore(file);
  const fence = await store.createInstance({ instanceId: "big", processor: "none", settings: {}, params: null, serialNum: 1, createdAt: 1 }, "m0");
  for (let from = 0; from < 20_000; from += 5000) {
    await store.insertTasks(fence, Array.from({ length: 5000 }, (_, i) => ({
      seq: from + i, taskId: `t${from + i}`, parentId: null, name: "LEAF", body: "x".repeat(200), queued: false,
    })));
  }
  await store.updateInstance(fence, { status: "SUCCESS", finishedAt: 2 });
  await store.close();
}

describe("B35 store integrity", () => {
  it("B35: a page of the SQLite file damaged under a running master stops it: exit non-zero, the file named", { timeout: 60_000 }, async () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), "tm-corrupt-"));
    dirs.push(dir);
    const file = join(dir, "t.db");
    await fileWithTasks(file);
    const master = taskmill(["master", "--port", "0", "--store", `sqlite:${file}`, "--processors", CHAOS_PROCESSORS]);
    const url = (await master.waitFor("master-ready")).url as string;
    // Ten pages in the middle of the file, where the task rows are, turn to garbage.
    const size = statSync(file).size, page = 4096;
    const at = Math.floor(size / page / 2) * page;
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.alloc(10 * page, 0xa5), 0, 10 * page, at);
    closeSync(fd);
    // Reading the tasks reaches those pages.
    let cursor: string | null = null;
    const statuses: number[] = [];
    try {
      for (let i = 0; i < 40; i++) {
        const r: Response = await fetch(`${url}/api/instances/big/tasks?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        statuses.push(r.status);
        if (r.status !== 200) continue;
        cursor = ((await r.json()) as { cursor: string | null }).cursor;
        if (cursor === null) break;
      }
    } catch {
      // The master stopped while answering: what the test waits for.
    }
    const code = await master.exited;
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    const event = master.events.find((e) => e.event === "store-integrity-error");
    expect(event?.store).toBe(file);
    expect(master.output.join("\n")).toContain(`store integrity error in ${file}`);
    expect(statuses.length).toBeGreaterThan(0);
  });
});
