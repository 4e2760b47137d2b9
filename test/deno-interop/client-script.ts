// Run by Deno (client.test.ts): taskmill/client as deno.json's "./client" export, against the master at Deno.args[0].
import { createClient, ClientError } from "../../adapters/deno/client.ts";

// Only what this script reads of Deno's global (the repository's tsc has no Deno types).
declare const Deno: { args: string[] };

const client = createClient({ url: Deno.args[0]! });
const { instanceId } = await client.submit({ processor: "sumSquares", params: { n: 200 } });
const statuses: string[] = [];
for await (const p of client.watch(instanceId)) statuses.push(p.status);
const done = await client.wait(instanceId);
const e = await client.get("nope").then(() => null, (x: unknown) => x);
console.log(JSON.stringify({
  last: statuses.at(-1), status: done.status, result: done.result,
  notFound: e instanceof ClientError ? { status: e.status, field: e.field, url: e.url } : String(e),
}));
