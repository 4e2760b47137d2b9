// The Transport conformance suite against the in-process network, on a manual clock.
import { describe, test } from "vitest";
import { InProcessNetwork } from "../../src/protocol/in-process.ts";
import { ManualClock } from "../../src/runtime/clock.ts";
import { runTransportSuite } from "./transport-suite.ts";

describe("InProcessNetwork conformance", () => {
  runTransportSuite({
    test,
    newNetwork: async () => {
      const clock = new ManualClock(1_000_000);
      const net = new InProcessNetwork(clock);
      return {
        sender: net,
        receiver: net,
        clock,
        address: (name) => name,
        unserved: async () => "nobody",
        // In one process a handler that has not answered is a call still running, not a lost
        // peer, so the network awaits it; only an address faulted to hang (a paused process) times out.
        hang: (address) => net.fault(address, "hang"),
        close: async () => undefined,
      };
    },
  });
});
