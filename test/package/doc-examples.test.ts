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

  it("K4: the in-process example of docs/processors.md runs to SUCCESS and its process exits once it closes master and workers", { timeout: 60_000 }, () => {
    if (!existsSync(join(root, "dist/src/index.js"))) throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
    const example = docExamples(root).find((e) => e.file === "docs/processors.md" && e.code.includes("new InProcessNetwork("));
    expect(example, "the in-process example").toBeDefined();
    // In the package's own folder (not node_modules, not what npm pack reads): `import "taskmill"`
    // resolves to the built package through its exports map, as a user's import would.
    const dir = join(root, "test-artifacts", `doc-example-${process.pid}`);
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
