/**
 * taskmill in a browser: the master, the worker runtime and the WASM core
 * (embedded as base64, so no fetch of a .wasm file is needed). Browser
 * capabilities (IndexedDB storage) are added here, one small file each.
 */
export * from "../../src/index.ts";
export { IdbStore, type IdbStoreOptions } from "./idb-store.ts";
export { PortTransport, type PortLike, type PortTransportOptions } from "./port-transport.ts";
