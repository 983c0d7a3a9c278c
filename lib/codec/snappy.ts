/**
 * Snappy *block* format (what remote write and the Loki push API use), via npm:snappyjs.
 *
 * The claimed uncompressed length is read and checked against the caller's cap before any
 * output is allocated, and the whole stream is walked once to prove that every literal and
 * copy stays inside the input and the claimed output (snappyjs itself would silently
 * zero-fill a short stream or drop out-of-range writes).
 *
 * @module
 */
import snappy from "snappyjs";
import { CodecError } from "./codec_error.ts";

/**
 * Reads the leading varint (the uncompressed length). Returns `[length, headerBytes]`;
 * the length may exceed 2^32 (it is only compared, never allocated).
 */
function readLength(bytes: Uint8Array): [number, number] {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10 && i < bytes.length; i++) {
    const b = bytes[i]!;
    result += (b & 0x7f) * mul;
    if (b < 0x80) return [result, i + 1];
    mul *= 128;
  }
  throw new CodecError("invalid", "snappy: truncated or malformed length header");
}

/** Walks the tag stream without writing output; false when it is not a valid block. */
function validBlock(a: Uint8Array, start: number, length: number): boolean {
  const n = a.length;
  let pos = start;
  let out = 0;
  while (pos < n) {
    const c = a[pos++]!;
    const type = c & 3;
    if (type === 0) {
      let len = (c >>> 2) + 1;
      if (len > 60) {
        const k = len - 60;
        if (pos + k > n) return false;
        len = 0;
        for (let i = k - 1; i >= 0; i--) len = len * 256 + a[pos + i]!;
        len += 1;
        pos += k;
      }
      if (pos + len > n) return false;
      pos += len;
      out += len;
    } else {
      let len: number;
      let offset: number;
      if (type === 1) {
        if (pos + 1 > n) return false;
        len = ((c >>> 2) & 7) + 4;
        offset = a[pos]! | ((c >>> 5) << 8);
        pos += 1;
      } else if (type === 2) {
        if (pos + 2 > n) return false;
        len = (c >>> 2) + 1;
        offset = a[pos]! | (a[pos + 1]! << 8);
        pos += 2;
      } else {
        if (pos + 4 > n) return false;
        len = (c >>> 2) + 1;
        offset = (a[pos]! | (a[pos + 1]! << 8) | (a[pos + 2]! << 16) | (a[pos + 3]! << 24)) >>> 0;
        pos += 4;
      }
      if (offset === 0 || offset > out) return false;
      out += len;
    }
    if (out > length) return false;
  }
  return out === length;
}

/**
 * Decompresses a snappy block, refusing (`CodecError("too_large")`) before allocating when
 * the claimed uncompressed length exceeds `maxOutputBytes`; corrupt input is
 * `CodecError("invalid")`.
 *
 * @example
 * ```ts
 * const body = snappyDecode(new Uint8Array(await req.arrayBuffer()), 32 << 20);
 * ```
 */
export function snappyDecode(bytes: Uint8Array, maxOutputBytes: number): Uint8Array {
  const [length, header] = readLength(bytes);
  if (length > maxOutputBytes) {
    throw new CodecError(
      "too_large",
      `snappy block claims ${length} uncompressed bytes, limit is ${maxOutputBytes}`,
    );
  }
  if (!validBlock(bytes, header, length)) {
    throw new CodecError("invalid", "snappy: corrupt block");
  }
  // snappyjs returns the input's own type; hand it a plain Uint8Array view so the result is
  // a plain Uint8Array too (not a Node Buffer).
  const plain = bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return snappy.uncompress(plain, maxOutputBytes) as Uint8Array;
  } catch {
    throw new CodecError("invalid", "snappy: corrupt block");
  }
}

/** Compresses bytes into a snappy block. */
export function snappyEncode(bytes: Uint8Array): Uint8Array {
  const plain = bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return snappy.compress(plain) as Uint8Array;
}
