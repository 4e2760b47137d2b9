// The Deno adapter's server: Deno.serve on port 0, an app set once the URL is known, a bounded close.
import assert from "node:assert/strict";
import { serveApp, lateApp } from "../../adapters/deno/serve.ts";

Deno.test("serveApp: port 0 binds a free port and the URL reaches the app", async () => {
  const s = await serveApp({ fetch: (req) => new Response(new URL(req.url).pathname) }, 0);
  assert.ok(s.port > 0);
  assert.equal(s.url, `http://127.0.0.1:${s.port}`);
  assert.equal(await (await fetch(`${s.url}/ping`)).text(), "/ping");
  await s.close();
  await assert.rejects(fetch(s.url));
});

Deno.test("lateApp: 503 until the app is set, then the app answers", async () => {
  const late = lateApp();
  const s = await serveApp(late, 0);
  const before = await fetch(s.url);
  assert.equal(before.status, 503);
  await before.body?.cancel();
  late.app = { fetch: () => new Response("ready") };
  assert.equal(await (await fetch(s.url)).text(), "ready");
  await s.close();
});

Deno.test("close returns within its grace period while a stream stays open", async () => {
  const s = await serveApp({ fetch: () => new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(":\n")); } })) }, 0, "127.0.0.1", 200);
  const res = await fetch(s.url);
  const reader = res.body!.getReader();
  await reader.read();
  const t0 = performance.now();
  await s.close();
  assert.ok(performance.now() - t0 < 2000);
  await reader.cancel();
});
