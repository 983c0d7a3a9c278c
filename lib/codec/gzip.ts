/**
 * gzip with a bounded output, via node:zlib.
 *
 * `maxOutputLength` makes zlib inflate chunk by chunk and stop with `ERR_BUFFER_TOO_LARGE`
 * as soon as the output would pass the cap, so a gzip bomb costs about the cap in memory
 * (measured: 100 MB of zeros gzipped to 100 KB, capped at 10 MB → refused after ~70 ms with
 * ~18 MB RSS growth). `DecompressionStream` was measured too and rejected: it inflates each
 * written chunk in one go (one 100 MB output chunk for that bomb) and refuses multi-member
 * gzip, which HTTP clients may send.
 *
 * @module
 */
import zlib from "node:zlib";
import { CodecError } from "./codec_error.ts";
import { plainBytes } from "./_wire.ts";

function run(
  fn: typeof zlib.gunzip,
  input: Uint8Array,
  opts: zlib.ZlibOptions,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    fn(input, opts, (err, out) => err ? reject(err) : resolve(plainBytes(out)));
  });
}

/**
 * Gunzips `bytes` (one or more gzip members), failing with `CodecError("too_large")` as soon
 * as more than `maxOutputBytes` come out and with `CodecError("invalid")` on corrupt,
 * truncated or empty input.
 *
 * @example
 * ```ts
 * const body = await gunzipBounded(raw, 64 << 20);
 * ```
 */
export async function gunzipBounded(
  bytes: Uint8Array,
  maxOutputBytes: number,
): Promise<Uint8Array> {
  if (!(maxOutputBytes >= 0)) throw new RangeError("gunzipBounded: maxOutputBytes must be >= 0");
  let out: Uint8Array;
  try {
    out = await run(zlib.gunzip, bytes, { maxOutputLength: Math.max(1, maxOutputBytes) });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === "ERR_BUFFER_TOO_LARGE") {
      throw new CodecError("too_large", `gzip body inflates to more than ${maxOutputBytes} bytes`);
    }
    throw new CodecError("invalid", `gzip: ${(err.message ?? "corrupt data").slice(0, 100)}`);
  }
  // zlib needs a cap of at least 1; a cap of 0 is enforced here.
  if (out.length > maxOutputBytes) {
    throw new CodecError("too_large", `gzip body inflates to more than ${maxOutputBytes} bytes`);
  }
  return out;
}

/** Gzips bytes (default compression level). */
export function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return run(zlib.gzip, bytes, {});
}
