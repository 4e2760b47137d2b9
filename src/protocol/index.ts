export * from "./messages.ts";
export * from "./replies.ts";
export * from "./transport.ts";
export { InProcessNetwork } from "./in-process.ts";
export { parseOrRefuse, issuePath } from "./validate.ts";
