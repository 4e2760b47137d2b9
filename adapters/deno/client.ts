/**
 * taskmill/client on Deno: the typed client of a master's HTTP API (Web-standard, shared with Node and browsers).
 * @module
 */
export * from "../../src/client/index.ts";
