/**
 * Entry of the simulation harness page (bundled to dist/ui/sim.js). Exposes
 * `window.taskmillSim` for tests and the console.
 */
import { Harness } from "./harness.ts";
import { SimPage } from "./page.ts";

const harness = new Harness(new URL("./sim-web-worker.js", import.meta.url));
const page = new SimPage(harness, document.getElementById("app")!);
(globalThis as unknown as { taskmillSim: unknown }).taskmillSim = { harness, page, snapshot: () => page.snapshot() };

harness.open().then(() => page.ready()).catch((e: unknown) => {
  const s = document.getElementById("status");
  if (s) { s.dataset.phase = "error"; s.textContent = `error: ${e instanceof Error ? e.message : String(e)}`; }
  throw e;
});
