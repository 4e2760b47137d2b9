/**
 * taskmill: processors, the in-process Master and Worker, the stores'
 * interface and the types (the package's `.` export, for Deno and JSR).
 * @module
 */
export * from "../../src/index.ts";
