// Every TypeScript example of the docs compiles under --strict against the built package's
// declarations, through the import names users write (taskmill, taskmill/node, taskmill/client).
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import ts from "typescript";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { docExamples, exampleFileName } from "./doc-examples.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("the docs' examples", () => {
  it("K3: every ```ts block of README.md and docs/*.md type-checks under strict, importing taskmill, taskmill/node and taskmill/client", { timeout: 120_000 }, () => {
    if (!existsSync(join(root, "dist/src/client/index.d.ts"))) throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
    const examples = docExamples(root);
    expect(examples.length).toBeGreaterThanOrEqual(6);
    // In the package's own folder (not node_modules, not what npm pack reads): `import "taskmill/node"`
    // resolves through the exports map to the declarations users get, and @types/node as for the sources.
    const dir = join(root, "test-artifacts", `doc-examples-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      for (const e of examples) writeFileSync(join(dir, exampleFileName(e)), e.code);
      // No package.json of its own: the package's (type module, name taskmill) is the scope.
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
        compilerOptions: {
          target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2023", "DOM", "DOM.Iterable", "ESNext.Disposable"],
          types: ["node"], strict: true, noEmit: true, skipLibCheck: true,
        },
        include: ["*.ts"],
      }));
      let output = "";
      try {
        execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], { encoding: "utf8", stdio: "pipe" });
      } catch (e) {
        output = String((e as { stdout?: string }).stdout ?? e);
      }
      // Only the examples' own errors: each line names the example's file, so the doc and its line.
      const errors = output.split("\n").filter((l) => l.includes("error TS"));
      expect(errors, "docs examples that do not type-check").toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Runs a docs example as written, in a fresh folder; resolves with its output once its process has exited by itself. */
  function runExample(code: string, name: string): string {
    // In the package's own folder (not node_modules, not what npm pack reads): `import "taskmill"`
    // resolves to the built package through its exports map, as a user's import would.
    const dir = join(root, "test-artifacts", `doc-example-${name}-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
      writeFileSync(join(dir, "example.mjs"), js);
      // The process must end by itself: a timer or socket left open would keep it alive until this kill.
      return execFileSync(process.execPath, ["example.mjs"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 45_000, killSignal: "SIGKILL" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("K4: the runnable examples of the docs — master and workers in one process, and over HTTP with startMaster and startWorker — reach SUCCESS and their process exits once they close what they started", { timeout: 90_000 }, () => {
    if (!existsSync(join(root, "dist/src/index.js"))) throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
    const examples = docExamples(root);
    const inProcess = examples.find((e) => e.file === "docs/processors.md" && e.code.includes("new InProcessNetwork("));
    expect(inProcess, "the in-process example").toBeDefined();
    const n = 10_000;
    expect(runExample(inProcess!.code, "in-process").trim().split("\n").at(-1)).toBe(`SUCCESS ${(n - 1) * n * (2 * n - 1) / 6}`);
    const overHttp = examples.find((e) => e.file === "docs/library.md" && e.code.includes("await using worker = await startWorker("));
    expect(overHttp, "the startMaster/startWorker example").toBeDefined();
    expect(runExample(overHttp!.code, "http").trim().split("\n").at(-1)).toBe("42");
  });
});
