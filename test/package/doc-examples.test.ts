// Every TypeScript example of the docs compiles under --strict against the package's sources,
// through the import names users write (taskmill, taskmill/node, taskmill/client).
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
    const examples = docExamples(root);
    expect(examples.length).toBeGreaterThanOrEqual(6);
    // Inside the repository, so that @types/node and the packages resolve as they do for the sources.
    const dir = join(root, "node_modules", ".cache", `taskmill-doc-examples-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      for (const e of examples) writeFileSync(join(dir, exampleFileName(e)), e.code);
      writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
        compilerOptions: {
          target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2023", "DOM", "DOM.Iterable", "ESNext.Disposable"],
          types: ["node"], strict: true, noEmit: true, skipLibCheck: true, allowImportingTsExtensions: true, verbatimModuleSyntax: false,
          // The names users import, mapped to the sources the exports map's files are built from.
          paths: {
            "taskmill": [join(root, "src/index.ts")],
            "taskmill/node": [join(root, "adapters/node/index.ts")],
            "taskmill/client": [join(root, "src/client/index.ts")],
            "taskmill/browser": [join(root, "adapters/browser/index.ts")],
          },
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

  it("K4: the in-process example of docs/processors.md runs to SUCCESS and its process exits once it closes master and workers", { timeout: 60_000 }, () => {
    if (!existsSync(join(root, "dist/src/index.js"))) throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
    const example = docExamples(root).find((e) => e.file === "docs/processors.md" && e.code.includes("new InProcessNetwork("));
    expect(example, "the in-process example").toBeDefined();
    // Under dist/ (the package's own folder, not node_modules): `import "taskmill"` resolves to the
    // built package through its exports map, as a user's import would.
    const dir = join(root, "dist", `.doc-example-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const js = ts.transpileModule(example!.code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
      writeFileSync(join(dir, "example.mjs"), js);
      // The process must end by itself: a timer left going would keep it alive until this kill.
      const out = execFileSync(process.execPath, [join(dir, "example.mjs")], { encoding: "utf8", timeout: 45_000, killSignal: "SIGKILL" });
      const n = 10_000;
      expect(out.trim().split("\n").at(-1)).toBe(`SUCCESS ${(n - 1) * n * (2 * n - 1) / 6}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
