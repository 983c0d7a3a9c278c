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
import { Cursor, I32, I64, LEN, readTag, VARINT } from "./_wire.ts";

/** OTLP bounds attribute nesting; deeper values are refused as a resource-exhaustion guard. */
export const MAX_ANY_VALUE_DEPTH = 32;

/** What to count and which type is the recursive `AnyValue`. */
export interface WalkOptions {
  /** Message tables whose occurrences are counted into `counts` under their full name. */
  count: ReadonlySet<MessageInfo>;
  /** The table of `AnyValue` (depth-limited), if the schema has one. */
  anyValue: MessageInfo | null;
}

/** Mutable tallies of a walk. */
export interface WalkCounts {
  [fullName: string]: number;
}

/** Validates `buf[start, end)` as a message of type `info`. */
export function validateMessage(
  info: MessageInfo,
  buf: Uint8Array,
  start: number,
  end: number,
  opts: WalkOptions,
  counts: WalkCounts,
): void {
  walk(info, new Cursor(buf, start, end), opts, counts, 0);
}

function walk(
  info: MessageInfo,
  c: Cursor,
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
  if (opts.count.has(info)) counts[info.fullName] = (counts[info.fullName] ?? 0) + 1;
  const byNumber = info.byNumber;
  const buf = c.buf;
  const end = c.end;
  while (c.pos < end) {
    const tag = readTag(c);
    const wt = tag & 7;
    const f = byNumber[tag >>> 3];
    if (f === undefined) {
      c.skipPayload(wt);
      continue;
    }
    if (wt === f.wire) {
      if (wt === LEN) {
        const len = c.length();
        const s = c.pos;
        c.pos = s + len;
        if (f.kind === "string") {
          if (!isValidUtf8(buf, s, s + len)) throw badUtf8(info, f);
        } else if (f.kind === "message") {
          const inner = new Cursor(buf, s, s + len);
          walk(f.message!, inner, opts, counts, anyDepth);
        }
      } else {
        c.skipPayload(wt);
      }
    } else if (wt === LEN && f.packable) {
      const len = c.length();
      checkPacked(f, buf, c.pos, c.pos + len, info);
      c.pos += len;
    } else {
      throw new CodecError(
        "invalid",
        `malformed protobuf: ${
          shortName(info)
        }.${f.protoName} has wire type ${wt}, expected ${f.wire}`,
      );
    }
  }
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
