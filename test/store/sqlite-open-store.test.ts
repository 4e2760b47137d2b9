import { describe, test, expect, afterEach } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, redactUrl } from "../../adapters/node/open-store.ts";
import { SqliteStore } from "../../adapters/node/sqlite/index.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "taskmill-open-store-"));
  made.push(dir);
  return dir;
}

async function refusal(url: unknown): Promise<ValidationError> {
  const e = await openStore(url as string).then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(ValidationError);
  return e as ValidationError;
}

describe("openStore", () => {
  test("memory opens a MemoryStore", async () => {
    const store = await openStore("memory");
    expect(store).toBeInstanceOf(MemoryStore);
    expect(store.kind).toBe("memory");
    await store.close();
  });

  test("sqlite:FILE opens a SqliteStore on that file, creating it; sqlite:///abs is an absolute path", async () => {
    const dir = tempDir();
    const a = await openStore(`sqlite:${join(dir, "a.db")}`);
    expect(a).toBeInstanceOf(SqliteStore);
    expect((a as SqliteStore).file).toBe(join(dir, "a.db"));
    await a.close();
    expect(existsSync(join(dir, "a.db"))).toBe(true);
    const b = await openStore(`sqlite://${join(dir, "b.db")}`);
    expect((b as SqliteStore).file).toBe(join(dir, "b.db"));
    await b.close();
  });

  test("sqlite: alone opens ./taskmill.db in the working directory", async () => {
    const dir = tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const store = await openStore("sqlite:");
      expect((store as SqliteStore).file).toBe(join(process.cwd(), "taskmill.db"));
      await store.close();
      expect(existsSync(join(dir, "taskmill.db"))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  test("a URL it cannot use is refused with a ValidationError naming the URL and what was expected", async () => {
    for (const url of ["", "memroy", "mysql://db/x", "file.db", "sqlite", "MEMORY", " memory"]) {
      const e = await refusal(url);
      expect(e.field).toBe("store");
      expect(e.message).toContain(`"memory", "sqlite:FILE" or "postgres://user@host:port/db"`);
      expect(e.message).toContain(JSON.stringify(url));
    }
    expect((await refusal(undefined)).message).toContain("got undefined");
    expect((await refusal(42)).message).toContain("got 42");
  });

  test("a refused URL never shows its password", async () => {
    const e = await refusal("redis://ops:s3cr%40t@cache:6379/0");
    expect(e.message).toContain("redis://ops:***@cache:6379/0");
    expect(e.message).not.toContain("s3cr");
    const odd = await refusal("weird://u:hunter2@host/db with spaces");
    expect(odd.message).not.toContain("hunter2");
    expect(odd.message).toContain("u:***@host");
  });

  test("redactUrl hides only the password", () => {
    expect(redactUrl("postgres://app:pw@db.local:5432/jobs")).toBe("postgres://app:***@db.local:5432/jobs");
    expect(redactUrl("postgres://app@db.local:5432/jobs")).toBe("postgres://app@db.local:5432/jobs");
    expect(redactUrl("sqlite:/tmp/x.db")).toBe("sqlite:/tmp/x.db");
    expect(redactUrl("not a url at all")).toBe("not a url at all");
    expect(redactUrl("x://user:p@ss:w0rd@host/db")).not.toContain("w0rd");
    expect(redactUrl("postgres://app@db.local/jobs?password=pw&schema=x")).toBe("postgres://app@db.local/jobs?password=***&schema=x");
    expect(redactUrl("postgres://u:p@w@[::1/x")).toBe("postgres://u:***@[::1/x"); // not a URL: up to the last "@"
    expect(redactUrl("POSTGRES://App@Host/db")).toBe("POSTGRES://App@Host/db"); // nothing hidden: as given
  });
});
