/** The HTTP client of a master, for the CLI's commands: it lives in src/client (Web-standard), shared with `taskmill/client`. */
export { masterClient, readEvents } from "../../src/client/index.ts";
