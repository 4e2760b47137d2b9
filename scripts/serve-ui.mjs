// `npm run sim`: serves the built simulation harness (dist/ui) on
// http://127.0.0.1:7171/ (--port N, --host H). Ctrl-C stops it.
import { createServer } from "node:http";
import { simUiFiles, staticListener } from "../dist/adapters/node/sim-ui.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const port = Number(arg("--port", "7171"));
const host = arg("--host", "127.0.0.1");

const files = await simUiFiles();
const server = createServer(staticListener(files));
server.listen(port, host, () => {
  console.log(`taskmill simulation harness: http://${host}:${port}/  (${files.length} files from dist/ui; Ctrl-C stops)`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
