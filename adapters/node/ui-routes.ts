/**
 * The built browser UI (dist/ui, scripts/bundle-ui.mjs) as Hono GET routes
 * for the Node master: the dashboard at / and the simulation harness at /sim.
 * Mounted before the user API, so the pages need no token (the dashboard asks
 * for one); every API route keeps its bearer check.
 */
import { Hono, type Context } from "hono";
import { simUiDir, staticFiles, type StaticFile } from "./sim-ui.ts";

/**
 * H3: no other site may frame the pages (their buttons kill and retry
 * instances: a framing page could trick a click), nor change their base URL,
 * embed plugins or post their forms elsewhere.
 */
export const PAGE_CSP = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'";

/** Where bundle-ui.mjs puts the dashboard inside dist/ui. */
const DASHBOARD = "/dashboard";

/**
 * GET routes serving `files` under `prefix` ("" or "/sim"): "prefix/"
 * answers index.html, and "prefix" redirects there (the pages' URLs are relative).
 * @example app.route("/", staticRoutes(await simUiFiles(), "/sim"))
 */
export function staticRoutes(files: readonly StaticFile[], prefix = ""): Hono {
  const app = new Hono();
  const serve = (f: StaticFile) => (c: Context) => c.body(f.body as Uint8Array<ArrayBuffer>, 200, {
    "content-type": f.contentType, "cache-control": "no-cache", "content-security-policy": PAGE_CSP,
  });
  for (const f of files) app.get(prefix + f.path, serve(f));
  const index = files.find((f) => f.path === "/index.html");
  if (index) app.get(`${prefix}/`, serve(index));
  if (prefix !== "") app.get(prefix, (c) => c.redirect(`${prefix}/${new URL(c.req.url).search}`, 301));
  return app;
}

/** Splits dist/ui into the dashboard's files (paths from /dashboard/) and the harness's (the rest). */
export function splitUiFiles(files: readonly StaticFile[]): { dashboard: StaticFile[]; sim: StaticFile[] } {
  const inDashboard = (f: StaticFile) => f.path.startsWith(`${DASHBOARD}/`);
  return {
    dashboard: files.filter(inDashboard).map((f) => ({ ...f, path: f.path.slice(DASHBOARD.length) })),
    sim: files.filter((f) => !inDashboard(f)),
  };
}

/**
 * The dashboard at / and the harness at /sim, from `dir` (dist/ui). When the
 * UI is not built, / answers 503 saying so and the master runs on.
 */
export async function uiRoutes(dir: string = simUiDir()): Promise<Hono> {
  const files = await staticFiles(dir).catch(() => null);
  if (!files) {
    return new Hono().get("/", (c) => c.text(`taskmill: the dashboard is not built (${dir} is missing): run \`npm run build\`. The API is under /api.`, 503));
  }
  const { dashboard, sim } = splitUiFiles(files);
  return new Hono().route("/", staticRoutes(dashboard)).route("/", staticRoutes(sim, "/sim"));
}
