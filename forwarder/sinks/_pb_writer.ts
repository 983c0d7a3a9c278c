/**
 * A small protobuf writer for the messages the forwarder sends (remote write 1.0/2.0, Loki
 * push). Hand-written rather than protobufjs because a Prometheus staleness marker is a NaN with
 * a payload that a JavaScript number cannot carry: {@linkcode PbWriter.doubleBits} writes the
 * exact bits. Nested messages are written in place (length reserved, body moved if shorter).
 *
 * @module
 */

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const utf8 = new TextEncoder();

/** Appends protobuf fields to a growable buffer. */
export class PbWriter {
  #buf: Uint8Array;
  #view: DataView;
  #pos = 0;

  /** Creates a writer with an initial capacity in bytes. */
  constructor(capacity = 1024) {
    this.#buf = new Uint8Array(Math.max(16, capacity));
    this.#view = new DataView(this.#buf.buffer);
  }

  #reserve(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  /** Raw varint of a non-negative integer up to 2^53, or any int64 as bigint. */
  #varint(v: number | bigint): void {
    if (typeof v === "number" && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
      this.#reserve(8);
      while (v >= 0x80) {
        this.#buf[this.#pos++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      this.#buf[this.#pos++] = v;
      return;
    }
    // Negative int64 values are written as their 64-bit two's complement (10 bytes).
    let b = BigInt.asUintN(64, BigInt(v));
    this.#reserve(10);
    while (b >= 0x80n) {
      this.#buf[this.#pos++] = Number(b & 0x7fn) | 0x80;
      b >>= 7n;
    }
    this.#buf[this.#pos++] = Number(b);
  }

  #tag(field: number, wireType: number): void {
    this.#varint(field * 8 + wireType);
  }

  /** `uint32`/`uint64`/`int64`/`enum`/`bool` field; zero is skipped (proto3 default). */
  uint(field: number, v: number | bigint): this {
    if (v === 0 || v === 0n) return this;
    this.#tag(field, VARINT);
    this.#varint(v);
    return this;
  }

  /** Same as {@linkcode PbWriter.uint} but written even when zero (oneof members). */
  uintAlways(field: number, v: number | bigint): this {
    this.#tag(field, VARINT);
    this.#varint(v);
    return this;
  }

  /** `sint32`/`sint64` field (zigzag); zero is skipped. */
  sint(field: number, v: number): this {
    if (v === 0) return this;
    this.#tag(field, VARINT);
    this.#varint(zigzag(v));
    return this;
  }

  /** `double` field; +0 is skipped (proto3 default), every other value including NaN is written. */
  double(field: number, v: number): this {
    if (v === 0 && !Object.is(v, -0)) return this;
    return this.doubleAlways(field, v);
  }

  /** `double` field written even when zero (oneof members, values that must be present). */
  doubleAlways(field: number, v: number): this {
    this.#tag(field, I64);
    this.#reserve(8);
    this.#view.setFloat64(this.#pos, v, true);
    this.#pos += 8;
    return this;
  }

  /** `double` field from its exact IEEE-754 bits (for NaN payloads such as StaleNaN). */
  doubleBits(field: number, bits: bigint): this {
    this.#tag(field, I64);
    this.#reserve(8);
    this.#view.setBigUint64(this.#pos, bits, true);
    this.#pos += 8;
    return this;
  }

  /** `string` field; empty is skipped. */
  string(field: number, s: string): this {
    if (s === "") return this;
    return this.stringAlways(field, s);
  }

  /** `string` field written even when empty (repeated strings such as a symbol table). */
  stringAlways(field: number, s: string): this {
    this.#tag(field, LEN);
    // UTF-8 needs at most 3 bytes per UTF-16 unit; reserve, encode, then fix the length.
    const max = s.length * 3;
    this.#reserve(5 + max);
    const lenAt = this.#pos;
    const lenBytes = varintSize(max);
    const start = lenAt + lenBytes;
    const { written } = utf8.encodeInto(s, this.#buf.subarray(start, start + max));
    this.#finishLen(lenAt, lenBytes, start, written);
    return this;
  }

  /** `bytes` field (also used to splice an already encoded message); empty is skipped. */
  bytes(field: number, b: Uint8Array): this {
    if (b.length === 0) return this;
    this.#tag(field, LEN);
    this.#varint(b.length);
    this.#reserve(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
    return this;
  }

  /** Appends bytes that are already encoded fields (e.g. a serialized message of the same type). */
  raw(b: Uint8Array): this {
    this.#reserve(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
    return this;
  }

  /** A nested message field, written by `body` (even when it turns out empty). */
  message(field: number, body: (w: this) => void): this {
    this.#tag(field, LEN);
    const lenBytes = 3; // room for bodies up to 2 MiB without a move
    this.#reserve(lenBytes);
    const lenAt = this.#pos;
    this.#pos += lenBytes;
    const start = this.#pos;
    body(this);
    this.#finishLen(lenAt, lenBytes, start, this.#pos - start);
    return this;
  }

  /** Packed `sint64` (zigzag) field; empty is skipped. */
  packedSint(field: number, vs: readonly number[]): this {
    if (vs.length === 0) return this;
    return this.message(field, () => {
      for (const v of vs) this.#varint(zigzag(v));
    });
  }

  /** Packed `double` field; empty is skipped. */
  packedDouble(field: number, vs: readonly number[]): this {
    if (vs.length === 0) return this;
    return this.message(field, () => {
      this.#reserve(vs.length * 8);
      for (const v of vs) {
        this.#view.setFloat64(this.#pos, v, true);
        this.#pos += 8;
      }
    });
  }

  /** Packed `uint32` field; empty is skipped. */
  packedUint(field: number, vs: readonly number[]): this {
    if (vs.length === 0) return this;
    return this.message(field, () => {
      for (const v of vs) this.#varint(v);
    });
  }

  /** Writes the length varint at `lenAt` (where `reserved` bytes were kept) and moves the body. */
  #finishLen(lenAt: number, reserved: number, start: number, len: number): void {
    const need = varintSize(len);
    if (need !== reserved) {
      this.#reserve(need - reserved);
      this.#buf.copyWithin(lenAt + need, start, start + len);
    }
    let p = lenAt;
    let v = len;
    while (v >= 0x80) {
      this.#buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.#buf[p++] = v;
    this.#pos = lenAt + need + len;
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.#pos;
  }

  /** The encoded bytes (a copy, so the writer may be reused or dropped). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

function zigzag(v: number): number | bigint {
  if (Number.isSafeInteger(v) && Math.abs(v) < 2 ** 52) return v >= 0 ? v * 2 : -v * 2 - 1;
  const b = BigInt(Math.trunc(v));
  return BigInt.asUintN(64, (b << 1n) ^ (b >> 63n));
}
