/**
 * The built browser UI (dist/ui, made by scripts/bundle-ui.mjs: the
 * simulation harness and its Web Worker) as files to mount on a server. The
 * Node master serves them under /sim; `npm run sim` serves them on their own.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** One file to serve. */
export interface StaticFile {
  /** URL path from the mount point, with a leading slash: "/index.html", "/sim.js". */
  path: string;
  contentType: string;
  body: Uint8Array;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
};

/** The Content-Type of a file name; unknown extensions are octet streams. */
export function contentTypeOf(name: string): string {
  return TYPES[extname(name).toLowerCase()] ?? "application/octet-stream";
}

/** dist/ui, from this module in dist/adapters/node (built) or adapters/node (sources run by vitest). */
export function simUiDir(): string {
  const up = new URL("../../", import.meta.url);
  return fileURLToPath(up.pathname.endsWith("/dist/") ? new URL("ui/", up) : new URL("dist/ui/", up));
}

/** Every file under `dir`, as paths relative to it. */
export async function staticFiles(dir: string): Promise<StaticFile[]> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new Error(`${dir} does not exist: run \`npm run build\` (scripts/bundle-ui.mjs) first`);
  const out: StaticFile[] = [];
  for (const name of await readdir(dir, { recursive: true })) {
    const full = join(dir, name);
    if (!(await stat(full)).isFile()) continue;
    const path = "/" + relative(dir, full).split(sep).join("/");
    out.push({ path, contentType: contentTypeOf(name), body: await readFile(full) });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The simulation harness's files (index.html, sim.js, sim-web-worker.js, CSS).
 * @example for (const f of await simUiFiles()) app.get(`/sim${f.path}`, ...)
 */
export function simUiFiles(dir: string = simUiDir()): Promise<StaticFile[]> {
  return staticFiles(dir);
}

/**
 * A node:http listener serving `files` under `prefix` ("" or "/sim"):
 * "prefix/" answers index.html, "prefix" redirects there (the page's URLs
 * are relative). Anything else is a 404.
 */
export function staticListener(files: readonly StaticFile[], prefix = ""): (req: IncomingMessage, res: ServerResponse) => void {
  const byPath = new Map(files.map((f) => [prefix + f.path, f]));
  const index = byPath.get(`${prefix}/index.html`);
  if (index) byPath.set(prefix + "/", index);
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const path = decodeURIComponent(url.pathname);
    if (prefix !== "" && path === prefix) {
      res.writeHead(301, { location: `${prefix}/${url.search}` }).end();
      return;
    }
    const f = req.method === "GET" || req.method === "HEAD" ? byPath.get(path) : undefined;
    if (!f) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { "content-type": f.contentType, "content-length": f.body.length, "cache-control": "no-cache" });
    res.end(req.method === "HEAD" ? undefined : f.body);
  };
}
