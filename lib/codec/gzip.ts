/**
 * gzip with a bounded output: decompression streams and stops as soon as the output
 * exceeds the cap, so a gzip bomb costs at most about the cap in memory.
 *
 * @module
 */
import { CodecError } from "./codec_error.ts";

/**
 * Gunzips `bytes`, failing with `CodecError("too_large")` as soon as more than
 * `maxOutputBytes` come out and with `CodecError("invalid")` on corrupt or truncated input.
 */
export function gunzipBounded(_bytes: Uint8Array, _maxOutputBytes: number): Promise<Uint8Array> {
  return Promise.reject(new CodecError("unsupported", "gunzipBounded: in progress"));
}

/** Gzips bytes. */
export function gzip(_bytes: Uint8Array): Promise<Uint8Array> {
  return Promise.reject(new CodecError("unsupported", "gzip: in progress"));
}
