// The Transport conformance suite against HttpTransport: a receiver served on a port of its
// own by the Node adapter, a sender that only sends, so every request crosses the wire. Run
// with the global fetch and with the Node adapter's (what the CLI's master and workers use).
import { describe, test } from "vitest";
import { nodeHttpFetch } from "../../adapters/node/http-fetch.ts";
import { freePort, serveApp } from "../../adapters/node/serve.ts";
import { HttpTransport } from "../../src/http/index.ts";
import { runTransportSuite, type TransportNetwork } from "./transport-suite.ts";

async function httpNetwork(fetchImpl: typeof fetch | undefined): Promise<TransportNetwork> {
  const port = await freePort();
  const receiver = new HttpTransport(`http://127.0.0.1:${port}`, { fetch: fetchImpl });
  const served = await serveApp(receiver.app, port);
  // Never served: a sender whose own base no request goes to, so none takes the local path.
  const sender = new HttpTransport("http://127.0.0.1:9", { fetch: fetchImpl, timeoutMs: 30_000 });
  return {
    sender,
    receiver,
    address: (name) => `${receiver.baseUrl}/${name}`,
    // A port nobody listens on (HttpTransport takes no clock: its timeouts run in real time).
    unserved: async () => `http://127.0.0.1:${await freePort()}/nobody`,
    close: () => served.close(),
  };
}

// Hono cannot unmount a route, so an unserved address keeps answering: with a not_running
// refusal (410), a definite answer that nothing runs there any more.
describe("HttpTransport conformance (global fetch)", () => {
  runTransportSuite({ test, newNetwork: () => httpNetwork(undefined), afterUnserve: "not_running" });
});

describe("HttpTransport conformance (nodeHttpFetch)", () => {
  runTransportSuite({ test, newNetwork: () => httpNetwork(nodeHttpFetch), afterUnserve: "not_running" });
});
