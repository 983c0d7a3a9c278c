/**
 * Strict, schema-driven validation of protobuf bytes without decoding them: every field is
 * structurally sound, known fields have the declared wire type (packed or not for repeated
 * scalars), strings are valid UTF-8, `AnyValue` nesting stays within a bound, and messages
 * of chosen types are counted (log records, data points, spans, ...).
 *
 * Unknown fields are skipped (proto3 semantics), deprecated groups are refused.
 *
 * @module
 */
import { CodecError } from "./codec_error.ts";
import type { FieldInfo, MessageInfo } from "./_schema.ts";
import { isValidUtf8 } from "./_utf8.ts";
import { Cursor, I32, I64, LEN, VARINT } from "./_wire.ts";

/** OTLP bounds attribute nesting; deeper values are refused as a resource-exhaustion guard. */
export const MAX_ANY_VALUE_DEPTH = 32;

/** Which type is the recursive `AnyValue`. */
export interface WalkOptions {
  /** The table of `AnyValue` (depth-limited), if the schema has one. */
  anyValue: MessageInfo | null;
}

/**
 * Mutable tallies of a walk: occurrences of every counted type, at its `countSlot`
 * (see `countSlotOf`); an array indexed by small integers keeps the hot loop monomorphic.
 */
export type WalkCounts = number[];

/** Validates `buf[start, end)` as a message of type `info`. */
export function validateMessage(
  info: MessageInfo,
  buf: Uint8Array,
  start: number,
  end: number,
  opts: WalkOptions,
  counts: WalkCounts,
): void {
  P = start;
  walk(info, buf, end, opts, counts, 0);
}

// The walker keeps its position in one module-level variable instead of a cursor object per
// nested message: it is the hot loop of ingest (every byte of every request passes here) and
// avoiding an allocation per message roughly doubles its speed. It is synchronous, so the
// shared variable cannot be observed half-way by anyone else.
let P = 0;

function truncated(): CodecError {
  return new CodecError("invalid", "malformed protobuf: truncated data");
}

/** Reads a varint that must fit 32 bits, after its first byte `b` (≥ 0x80) was consumed. */
function varint32Rest(buf: Uint8Array, end: number, b: number, what: string): number {
  let result = b & 0x7f;
  let shift = 7;
  while (P < end) {
    b = buf[P++]!;
    if (shift === 28) {
      if ((b & 0xf0) !== 0) break;
      return (result + b * 0x10000000) >>> 0;
    }
    result |= (b & 0x7f) << shift;
    if (b < 0x80) return result >>> 0;
    shift += 7;
  }
  throw new CodecError("invalid", `malformed protobuf: bad ${what} varint`);
}

function skipVarint(buf: Uint8Array, end: number): void {
  const limit = Math.min(end, P + 10);
  while (P < limit) if (buf[P++]! < 0x80) return;
  throw new CodecError("invalid", "malformed protobuf: truncated or overlong varint");
}

function walk(
  info: MessageInfo,
  buf: Uint8Array,
  end: number,
  opts: WalkOptions,
  counts: WalkCounts,
  anyDepth: number,
): void {
  if (info === opts.anyValue) {
    anyDepth++;
    if (anyDepth > MAX_ANY_VALUE_DEPTH) {
      throw new CodecError(
        "invalid",
        `attribute value nesting exceeds ${MAX_ANY_VALUE_DEPTH} levels`,
      );
    }
  }
  const slot = info.countSlot;
  if (slot >= 0) counts[slot] = (counts[slot] ?? 0) + 1;
  const byNumber = info.byNumber;
  while (P < end) {
    let tag = buf[P++]!;
    if (tag >= 0x80) tag = varint32Rest(buf, end, tag, "tag");
    if (tag < 8) throw new CodecError("invalid", "malformed protobuf: field number 0");
    const wt = tag & 7;
    const f = byNumber[tag >>> 3];
    switch (wt) {
      case VARINT:
        skipVarint(buf, end);
        break;
      case I64:
        if ((P += 8) > end) throw truncated();
        break;
      case I32:
        if ((P += 4) > end) throw truncated();
        break;
      case LEN: {
        if (P >= end) throw truncated();
        let len = buf[P++]!;
        if (len >= 0x80) len = varint32Rest(buf, end, len, "length");
        const s = P;
        const e = s + len;
        if (e > end) {
          throw new CodecError(
            "invalid",
            "malformed protobuf: length runs past the end of the data",
          );
        }
        if (f !== undefined) {
          if (f.wire === LEN) {
            if (f.kind === "message") {
              walk(f.message!, buf, e, opts, counts, anyDepth);
            } else if (f.kind === "string" && !isValidUtf8(buf, s, e)) {
              throw badUtf8(info, f);
            }
          } else if (f.packable) {
            checkPacked(f, buf, s, e, info);
          } else {
            throw wrongWire(info, f, wt);
          }
        }
        P = e;
        continue;
      }
      default:
        throw new CodecError("invalid", `malformed protobuf: unsupported wire type ${wt}`);
    }
    if (f !== undefined && f.wire !== wt) throw wrongWire(info, f, wt);
  }
}

function wrongWire(info: MessageInfo, f: FieldInfo, wt: number): CodecError {
  return new CodecError(
    "invalid",
    `malformed protobuf: ${shortName(info)}.${f.protoName} has wire type ${wt}, expected ${f.wire}`,
  );
}

function checkPacked(f: FieldInfo, buf: Uint8Array, s: number, e: number, info: MessageInfo) {
  if (f.wire === VARINT) {
    const c = new Cursor(buf, s, e);
    while (c.pos < e) c.skipVarint();
  } else if (f.wire === I64) {
    if ((e - s) % 8 !== 0) throw badPacked(info, f);
  } else if (f.wire === I32) {
    if ((e - s) % 4 !== 0) throw badPacked(info, f);
  }
}

function shortName(info: MessageInfo): string {
  const i = info.fullName.lastIndexOf(".");
  return i < 0 ? info.fullName : info.fullName.slice(i + 1);
}

function badUtf8(info: MessageInfo, f: FieldInfo): CodecError {
  return new CodecError("invalid", `invalid UTF-8 in ${shortName(info)}.${f.protoName}`);
}

function badPacked(info: MessageInfo, f: FieldInfo): CodecError {
  return new CodecError(
    "invalid",
    `malformed protobuf: packed ${shortName(info)}.${f.protoName} has a partial element`,
  );
}
