// The Deno adapter keeps the HTTP edge's rules: the Host check in front of every route
// (H4), no token no network (H5), the token's sources (H6). The Deno CLI itself is run
// by test/deno-interop/edge.test.ts.
import assert from "node:assert/strict";
import { serveApp } from "../../adapters/deno/serve.ts";
import { exposure } from "../../src/http/exposure.ts";
import { resolveToken } from "../../src/http/token-source.ts";

/** A GET with a Host header of our choosing (fetch sets its own): the status line and the body. */
async function rawGet(port: number, path: string, host: string): Promise<{ status: number; text: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
  let text = "";
  const buf = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  conn.close();
  return { status: Number(text.split(" ", 2)[1]), text };
}

Deno.test("H4: a request whose Host is not a name the server answers to gets 421 naming host; loopback and --allow-host names pass", async () => {
  const s = await serveApp({ fetch: (req) => new Response(new URL(req.url).pathname) }, 0, "127.0.0.1", 2000, { allowHosts: ["ops.example.com"] });
  try {
    const evil = await rawGet(s.port, "/api/instances", "evil.example");
    assert.equal(evil.status, 421);
    assert.match(evil.text, /"field":"host"/);
    for (const host of [`localhost:${s.port}`, `127.0.0.1:${s.port}`, "ops.example.com"]) {
      const ok = await rawGet(s.port, "/ping", host);
      assert.equal(ok.status, 200, host);
      assert.match(ok.text, /\/ping$/);
    }
  } finally {
    await s.close();
  }
});

Deno.test("H5: under Deno, no token means loopback only: another host is refused naming host, unless insecure", () => {
  assert.match(exposure({ host: "127.0.0.1", token: undefined, insecure: false, what: "master" }).notice ?? "", /loopback only/);
  assert.throws(() => exposure({ host: "0.0.0.0", token: undefined, insecure: false, what: "worker" }), /^ValidationError: host: Expected a loopback address/);
  assert.match(exposure({ host: "0.0.0.0", token: undefined, insecure: true, what: "master" }).notice ?? "", /^WARNING: /);
});

Deno.test("H6: under Deno, a token file is read through the runtime's reader and trimmed; an empty one is refused naming --token-file", () => {
  assert.equal(resolveToken({ file: "t", readFile: () => "s3cret\n" }).token, "s3cret");
  assert.throws(() => resolveToken({ file: "t", readFile: () => "" }), /^ValidationError: token-file: /);
});
