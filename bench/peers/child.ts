// One measurement in a fresh process: `node child.js PEER N URL TAG`, forked
// with IPC by bench/peers.ts; sends back {ok: true, measure} or {ok: false, error}
// (printed as JSON when run by hand, without IPC).
import { PEERS } from "./index.ts";

const [name, n, url, tag] = process.argv.slice(2) as [string, string, string, string];
const reply = (m: object) => new Promise<void>((r) => (process.send ? process.send(m, () => r()) : (console.log(JSON.stringify(m)), r())));
try {
  const peer = PEERS.find((p) => p.name === name);
  if (!peer || !url || !tag) throw new Error(`usage: node child.js PEER N URL TAG; peers: ${PEERS.map((p) => p.name).join(", ")}`);
  const measure = await peer.run(Number(n), url, tag);
  await reply({ ok: true, measure });
} catch (e) {
  await reply({ ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) });
}
// Client libraries keep timers and sockets around for a while; the measurement is over.
process.exit(0);
