// H5, H6: who may reach a process without a token, and where its token comes from —
// the rules both CLIs (Node and Deno) apply before they open anything.
import { describe, it, expect } from "vitest";
import { exposure, isLoopback } from "../../src/http/exposure.ts";
import { resolveToken } from "../../src/http/token-source.ts";
import { ValidationError } from "../../src/errors/validation-error.ts";

describe("H5 no token, loopback only", () => {
  it("H5: loopback without a token starts and says so; another address without a token is refused naming host; --insecure starts it with a loud warning; a token allows any address", () => {
    const loop = exposure({ host: "127.0.0.1", token: undefined, insecure: false, what: "master" });
    expect(loop.notice).toMatch(/^taskmill master: no token, so listening on loopback only \(127\.0\.0\.1\)/);
    for (const host of ["0.0.0.0", "192.168.1.20", "::", "jobs.example.com"]) {
      let e: unknown;
      try { exposure({ host, token: undefined, insecure: false, what: "worker" }); } catch (x) { e = x; }
      expect(e, host).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).field).toBe("host");
      expect((e as Error).message).toMatch(/^host: Expected a loopback address \(127\.0\.0\.1, ::1, localhost\) when no token is given .* give --token-file \(or TASKMILL_TOKEN\), or --insecure/);
      expect((e as Error).message).toContain(`got ${JSON.stringify(host)}`);
    }
    expect(exposure({ host: "0.0.0.0", token: undefined, insecure: true, what: "worker" }).notice).toMatch(/^WARNING: taskmill worker listens on 0\.0\.0\.0 WITHOUT A TOKEN \(--insecure\)/);
    expect(exposure({ host: "0.0.0.0", token: "s3cret", insecure: false, what: "master" }).notice).toBeNull();
  });

  it("H5: loopback is 127.0.0.0/8, ::1, localhost and *.localhost — nothing that merely starts like them", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "box.localhost"]) expect(isLoopback(h), h).toBe(true);
    for (const h of ["0.0.0.0", "::", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.1", "128.0.0.1", ""]) expect(isLoopback(h), h).toBe(false);
  });
});

describe("H6 where a token comes from", () => {
  const files: Record<string, string> = { "/run/tok": "  s3cret-from-file\n", "/run/empty": " \n", "/run/two": "a\nb\n" };
  const readFile = (p: string) => {
    if (!(p in files)) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
    return files[p]!;
  };

  it("H6: --token-file is read and trimmed; else --token, with a warning that ps shows it; else TASKMILL_TOKEN; else none", () => {
    expect(resolveToken({ file: "/run/tok", env: "from-env", readFile })).toEqual({ token: "s3cret-from-file", warning: null });
    const flag = resolveToken({ flag: "s3cret-flag", env: "from-env", readFile });
    expect(flag.token).toBe("s3cret-flag");
    expect(flag.warning).toBe("taskmill: warning: --token is visible to every user of this machine (ps, /proc); prefer --token-file PATH or TASKMILL_TOKEN");
    expect(resolveToken({ env: " from-env\n", readFile })).toEqual({ token: "from-env", warning: null });
    expect(resolveToken({ env: "", readFile })).toEqual({ token: undefined, warning: null });
    expect(resolveToken({ readFile })).toEqual({ token: undefined, warning: null });
  });

  it("H6: an unreadable, empty or multi-line token file, an empty --token, or both flags are refused naming the flag — and never show the token", () => {
    expect(() => resolveToken({ file: "/run/missing", readFile })).toThrow(/^token-file: Expected a readable file holding the token \(ENOENT: no such file or directory, open '\/run\/missing'\), got "\/run\/missing"$/);
    expect(() => resolveToken({ file: "/run/empty", readFile })).toThrow('token-file: Expected a file holding a token, not an empty one, got "/run/empty"');
    let e: unknown;
    try { resolveToken({ file: "/run/two", readFile }); } catch (x) { e = x; }
    expect((e as Error).message).toBe('token-file: Expected a file holding one token on one line, got "/run/two"');
    expect(() => resolveToken({ flag: "  ", readFile })).toThrow(/^token: Expected a non-empty token/);
    try { resolveToken({ flag: "s3cret-flag", file: "/run/tok", readFile }); } catch (x) { e = x; }
    expect((e as ValidationError).field).toBe("token");
    expect((e as Error).message).not.toContain("s3cret");
  });
});
