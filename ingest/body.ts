/**
 * Reading a request body with a hard cap, before anything is decompressed or decoded.
 *
 * @module
 */
import { concatBytes } from "../lib/codec/mod.ts";
import { badRequest, payloadTooLarge } from "../lib/errors.ts";

/**
 * Reads the whole body of `req`, refusing (413) as soon as more than `maxBytes` arrive or the
 * declared `Content-Length` says it will. Never buffers more than `maxBytes`.
 *
 * @example
 * ```ts
 * const bytes = await readBoundedBody(req, 16 << 20);
 * ```
 */
export async function readBoundedBody(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null) {
    const n = Number(declared);
    if (!Number.isInteger(n) || n < 0) throw badRequest("invalid Content-Length");
    if (n > maxBytes) {
      await req.body?.cancel().catch(() => {});
      throw payloadTooLarge(`request body of ${n} bytes exceeds the limit of ${maxBytes} bytes`);
    }
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw payloadTooLarge(`request body exceeds the limit of ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof Error && err.name === "ObstackError") throw err;
    throw badRequest("request body could not be read completely");
  }
  return concatBytes(chunks);
}
