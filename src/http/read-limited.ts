/**
 * Reads a reply's body as text with a byte cap applied while it streams: past
 * the cap the stream is cancelled (the connection dropped) instead of read on,
 * so a peer answering with hundreds of megabytes costs at most the cap in
 * memory — `res.text()` would hold it all first and check after.
 */

/** A body read up to a cap. */
export interface LimitedText {
  /** The text read: all of it, or (when `over`) what came before the cap. */
  text: string;
  /** The body was longer than the cap; the rest was not read. */
  over: boolean;
  /** Bytes received (up to the cap's chunk), or the length the reply announced when that alone was over. */
  bytes: number;
}

/** Reads `res`'s body as UTF-8 text, at most `max` bytes of it (see the module comment). */
export async function readLimited(res: Response, max: number): Promise<LimitedText> {
  const announced = Number(res.headers.get("content-length") ?? NaN);
  if (announced > max) {
    await res.body?.cancel().catch(() => undefined);
    return { text: "", over: true, bytes: announced };
  }
  if (res.body === null) return { text: "", over: false, bytes: 0 };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "", bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > max) {
      await reader.cancel().catch(() => undefined);
      return { text: text + decoder.decode(value.subarray(0, max - (bytes - value.byteLength))), over: true, bytes };
    }
    text += decoder.decode(value, { stream: true });
  }
  return { text: text + decoder.decode(), over: false, bytes };
}
