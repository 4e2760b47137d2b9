// A huge reply made as it is sent: for the tests of bounded replies (M2, M3, M12).
import type { ServerResponse } from "node:http";

/**
 * Writes `head`, then `x` up to `total` bytes, then `"}` — one JSON string field, made in
 * 64 KiB chunks only as fast as the reader takes them. Resolves with the bytes written once
 * the reply ends or its connection closes: far less than `total` when the reader gave up.
 */
export function lazyBody(res: ServerResponse, total: number, head = '{"ok":true,"pad":"'): Promise<number> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, "x");
    let written = 0;
    const more = () => {
      while (written < total && !res.destroyed) {
        const first = written === 0;
        written += chunk.length;
        if (!res.write(first ? Buffer.concat([Buffer.from(head), chunk.subarray(head.length)]) : chunk)) return;
      }
      if (!res.destroyed) res.end('"}');
    };
    res.on("drain", more);
    res.on("close", () => resolve(written));
    more();
  });
}
