/**
 * taskmill/browser: taskmill with the IndexedDB store and the MessagePort transport.
 * @module
 */
export * from "../browser/index.ts";
