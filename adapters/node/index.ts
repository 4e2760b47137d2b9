/** taskmill on Node: the load probe and the CLI's commands. */
export { nodeLoad } from "./load-probe.ts";
export { openStore } from "./open-store.ts";
export { demo, type DemoOptions } from "./commands/demo.ts";
