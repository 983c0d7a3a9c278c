/**
 * Minimal protobuf wire-format primitives shared by the validating walker, the splicers and
 * the splitters. Everything works on byte offsets into one input array; nothing allocates
 * per field.
 *
 * @module
 */
import { CodecError } from "./codec_error.ts";

/** Wire types (protobuf encoding spec). */
export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const I32 = 5;

/** A cursor over a byte range `[pos, end)` of `buf`. */
export class Cursor {
  buf: Uint8Array;
  pos: number;
  end: number;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Reads a varint that must fit 32 bits unsigned (tags, lengths, enum/uint32 values). */
  uint32(what: string): number {
    const buf = this.buf;
    let pos = this.pos;
    const end = this.end;
    let result = 0;
    let shift = 0;
    while (pos < end) {
      const b = buf[pos++]!;
      if (shift < 28) {
        result |= (b & 0x7f) << shift;
      } else if (shift === 28) {
        // Fifth byte: only the low 4 bits fit; higher bits must be zero for a uint32.
        if ((b & 0x70) !== 0) break;
        result = (result >>> 0) + (b & 0x0f) * 0x10000000;
        if (b < 0x80) {
          this.pos = pos;
          return result;
        }
        break;
      }
      if (b < 0x80) {
        this.pos = pos;
        return result >>> 0;
      }
      shift += 7;
    }
    throw new CodecError("invalid", `malformed protobuf: bad ${what} varint`);
  }

  /** Skips a varint of up to 10 bytes (any 64-bit value). */
  skipVarint(): void {
    const buf = this.buf;
    let pos = this.pos;
    const limit = Math.min(this.end, pos + 10);
    while (pos < limit) {
      if (buf[pos++]! < 0x80) {
        this.pos = pos;
        return;
      }
    }
    throw new CodecError("invalid", "malformed protobuf: truncated or overlong varint");
  }

  /** Reads a length prefix and checks the payload fits the current range. */
  length(): number {
    const len = this.uint32("length");
    if (len > this.end - this.pos) {
      throw new CodecError("invalid", "malformed protobuf: length runs past the end of the data");
    }
    return len;
  }

  /** Skips a fixed-size payload, checking it fits. */
  skip(n: number): void {
    if (n > this.end - this.pos) {
      throw new CodecError("invalid", "malformed protobuf: truncated fixed-size field");
    }
    this.pos += n;
  }

  /** Skips the payload of a field of wire type `wt` (groups are refused). */
  skipPayload(wt: number): void {
    switch (wt) {
      case VARINT:
        this.skipVarint();
        return;
      case I64:
        this.skip(8);
        return;
      case LEN: {
        // Read the length first: `this.pos += this.length()` would add to the stale pos.
        const n = this.length();
        this.pos += n;
        return;
      }
      case I32:
        this.skip(4);
        return;
      default:
        throw new CodecError(
          "invalid",
          `malformed protobuf: unsupported wire type ${wt}`,
        );
    }
  }
}

/** Reads a tag; field number 0 is invalid. Returns `fieldNumber << 3 | wireType`. */
export function readTag(c: Cursor): number {
  const tag = c.uint32("tag");
  if (tag >>> 3 === 0) throw new CodecError("invalid", "malformed protobuf: field number 0");
  return tag;
}

/** Bytes needed to encode `v` (< 2^32) as a varint. */
export function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

/** Writes the varint of `v` (< 2^32) at `pos`, returning the next position. */
export function putVarint(out: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[pos++] = v;
  return pos;
}

/** Size of a length-delimited field with `len` payload bytes. */
export function lenFieldSize(fieldNumber: number, len: number): number {
  return varintSize((fieldNumber << 3) | LEN) + varintSize(len) + len;
}

/** A growable output buffer. */
export class ByteSink {
  buf: Uint8Array;
  pos = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(64, capacity));
  }

  /** Ensures room for `n` more bytes. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Appends a varint (< 2^32). */
  varint(v: number): void {
    this.reserve(5);
    this.pos = putVarint(this.buf, this.pos, v);
  }

  /** Appends a byte range. */
  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.reserve(n);
    if (n < 64) {
      // A loop beats creating a subarray view for the many small copies (labels, keys).
      const buf = this.buf;
      let p = this.pos;
      for (let i = start; i < end; i++) buf[p++] = src[i]!;
      this.pos = p;
      return;
    }
    this.buf.set(src.subarray(start, end), this.pos);
    this.pos += n;
  }

  /** Appends the header (tag and length) of a length-delimited field. */
  lenHeader(fieldNumber: number, len: number): void {
    this.varint((fieldNumber << 3) | LEN);
    this.varint(len);
  }

  /** The written bytes (a view, not a copy). */
  result(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** Encodes one length-delimited field holding `payload`. */
export function encodeLenField(fieldNumber: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(lenFieldSize(fieldNumber, payload.length));
  let p = putVarint(out, 0, (fieldNumber << 3) | LEN);
  p = putVarint(out, p, payload.length);
  out.set(payload, p);
  return out;
}

/** A plain `Uint8Array` view of any byte array (protobufjs returns Node Buffers under Deno). */
export function plainBytes(u8: Uint8Array): Uint8Array {
  return u8.constructor === Uint8Array
    ? u8
    : new Uint8Array(u8.buffer, u8.byteOffset, u8.byteLength);
}
