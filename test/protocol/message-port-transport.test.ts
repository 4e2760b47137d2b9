// The Transport conformance suite against PortTransport: two transports joined by one
// MessageChannel (Node 20's is the browser's), on a manual clock.
import { describe, test } from "vitest";
import { PortTransport } from "../../adapters/browser/port-transport.ts";
import { ManualClock } from "../../src/runtime/clock.ts";
import { runTransportSuite } from "./transport-suite.ts";

describe("PortTransport conformance", () => {
  runTransportSuite({
    test,
    newNetwork: async () => {
      const clock = new ManualClock(1_000_000);
      const ch = new MessageChannel();
      const sender = new PortTransport(clock);
      const receiver = new PortTransport(clock);
      receiver.connect("sender", ch.port2); // serves the requests arriving on port2
      const routed = new Set<string>();
      const address = (name: string) => {
        if (!routed.has(name)) sender.connect(name, ch.port1);
        routed.add(name);
        return name;
      };
      return {
        sender,
        receiver,
        clock,
        address,
        // Routed through the port, so the far end is the one that says nobody serves it.
        unserved: async () => address("nobody"),
        close: async () => {
          for (const name of routed) sender.disconnect(name);
          receiver.disconnect("sender");
        },
      };
    },
  });
});
