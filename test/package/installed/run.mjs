// Runs in a project that installed the packed tarball: a master on SQLite and two workers over
// HTTP, a job submitted, watched and waited for through the client — public imports only.
import { join } from "node:path";
import { startMaster, startWorker } from "taskmill/node";
import { createClient, ClientError } from "taskmill/client";
import { MemoryStore } from "taskmill";
import * as jobs from "./jobs.mjs";

const out = {};
const warnings = [];
const warn = (m) => warnings.push(m);
const master = await startMaster({ port: 0, store: `sqlite:${join(process.cwd(), "jobs.db")}`, processors: "./jobs.mjs", warn });
out.storeKind = master.store.kind;
// One worker given the module's namespace object, one its path.
const workers = [
  await startWorker({ master: master.url, processors: jobs, slots: 4, id: "w1", warn }),
  await startWorker({ master: [master.url], processors: "./jobs.mjs", slots: 4, id: "w2", warn }),
];
const client = createClient({ url: master.url });
const n = 300;
const { instanceId } = await client.submit({ processor: "sumSquares", params: { n }, settings: { pageSize: 10, progressMs: 50, retainTasks: "all" } });
out.submitted = typeof instanceId === "string" && instanceId.length > 0;
let views = 0;
let last = null;
for await (const p of client.watch(instanceId)) { views++; last = p; }
out.watchViews = views;
out.watchLastStatus = last?.status;
const final = await client.wait(instanceId);
out.status = final.status;
out.result = final.result;
out.expected = Array.from({ length: n }, (_, i) => i * i).reduce((a, b) => a + b, 0);
out.numDone = final.progress?.names?.NUM?.success;
out.workersUsed = Object.keys(final.progress?.workers ?? {}).filter((k) => /^w[12]\b/.test(k)).map((k) => k.slice(0, 2)).sort();
out.listed = (await client.list()).some((i) => i.instanceId === instanceId);
out.taskPage = (await client.tasks(instanceId, { name: "NUM", limit: 5 })).tasks.length;
try {
  await client.get("no-such-instance");
} catch (e) {
  out.unknown = { isClientError: e instanceof ClientError, status: e.status, field: e.field, namesUrl: e.message.includes(master.url) };
}
// A store opened by the caller works as well as a URL.
const memory = await startMaster({ port: 0, store: new MemoryStore(), warn });
out.memoryStore = memory.store.kind;
await memory.close();
try {
  await startWorker({ master: master.url, processors: jobs, slots: 0 });
} catch (e) {
  out.badOption = e.message;
}
out.ignoredExportWarned = warnings.some((w) => w.includes('"version"'));
for (const w of workers) await w.close();
await master.close();
await master.close(); // twice is fine
try {
  await createClient({ url: master.url }).get(instanceId);
} catch (e) {
  out.unreachable = e.message;
}
console.log(JSON.stringify(out));
