/**
 * Wire-level split of an OTLP export request into smaller valid requests: by resource
 * entry, then by scope entry, then by record (for metrics: by metric, then by data point),
 * each piece keeping the fields of its enclosing resource and scope (and metric). Bytes of
 * records are copied, never re-encoded.
 *
 * @module
 */
import { CodecError } from "./codec_error.ts";
import type { OtlpSignal } from "./_otlp_schema.ts";
import { concatBytes } from "./bytes.ts";
import { Cursor, encodeLenField, LEN, readTag, varintSize } from "./_wire.ts";

/** How one message level splits: which field numbers hold the children. */
interface Level {
  /** Human name of the children (for errors). */
  child: string;
  childFields: readonly number[];
  /** The child field is singular (Metric's data): one piece per output message. */
  singular: boolean;
  /** How a child splits further; `null` = children are records (indivisible). */
  next: Level | null;
}

const RECORDS_LOGS: Level = { child: "log record", childFields: [2], singular: false, next: null };
const RECORDS_SPANS: Level = { child: "span", childFields: [2], singular: false, next: null };
/** Gauge/Sum/Histogram/ExponentialHistogram/Summary: field 1 = data_points. */
const DATA_POINTS: Level = { child: "data point", childFields: [1], singular: false, next: null };
/** Metric: gauge 5, sum 7, histogram 9, exponential_histogram 10, summary 11. */
const METRIC: Level = {
  child: "metric data",
  childFields: [5, 7, 9, 10, 11],
  singular: true,
  next: DATA_POINTS,
};
const SCOPE_METRICS: Level = { child: "metric", childFields: [2], singular: false, next: METRIC };

const LEVELS: Record<OtlpSignal, Level> = {
  logs: req(resourceLevel(RECORDS_LOGS)),
  metrics: req(resourceLevel(SCOPE_METRICS)),
  traces: req(resourceLevel(RECORDS_SPANS)),
};

function resourceLevel(scope: Level): Level {
  return { child: "scope", childFields: [2], singular: false, next: scope };
}

function req(resource: Level): Level {
  return { child: "resource", childFields: [1], singular: false, next: resource };
}

/** Splits `bytes` into requests of at most `maxBytes` each. */
export function splitOtlpBytes(
  signal: OtlpSignal,
  bytes: Uint8Array,
  maxBytes: number,
): Uint8Array[] {
  if (!(maxBytes > 0)) throw new RangeError("splitOtlp: maxBytes must be positive");
  if (bytes.length <= maxBytes) return [bytes];
  return splitMessage(LEVELS[signal], bytes, 0, bytes.length, maxBytes);
}

/** Splits the message body `buf[s, e)` into bodies of at most `budget` bytes. */
function splitMessage(
  level: Level,
  buf: Uint8Array,
  s: number,
  e: number,
  budget: number,
): Uint8Array[] {
  if (e - s <= budget) return [buf.subarray(s, e)];
  const header: Uint8Array[] = [];
  let headerLen = 0;
  const children: { fn: number; fs: number; cs: number; ce: number }[] = [];
  const c = new Cursor(buf, s, e);
  while (c.pos < e) {
    const fs = c.pos;
    const tag = readTag(c);
    const fn = tag >>> 3;
    if ((tag & 7) === LEN && level.childFields.includes(fn)) {
      const len = c.length();
      children.push({ fn, fs, cs: c.pos, ce: c.pos + len });
      c.pos += len;
    } else {
      c.skipPayload(tag & 7);
      header.push(buf.subarray(fs, c.pos));
      headerLen += c.pos - fs;
    }
  }
  const avail = budget - headerLen;
  if (avail <= 0) {
    throw new CodecError(
      "too_large",
      `the fields around a ${level.child} alone take ${headerLen} bytes, over the limit of ${budget}`,
    );
  }
  // Children as encoded fields, each at most `avail` bytes; `group` separates pieces of
  // a singular child that must land in different output messages.
  const entries: { bytes: Uint8Array; group: number }[] = [];
  let group = 0;
  for (const ch of children) {
    const size = ch.ce - ch.fs;
    group++;
    if (size <= avail) {
      entries.push({ bytes: buf.subarray(ch.fs, ch.ce), group });
      continue;
    }
    if (!level.next) {
      throw new CodecError(
        "too_large",
        `a single ${level.child} of ${size} bytes exceeds the limit of ${budget} bytes`,
      );
    }
    const inner = avail - varintSize((ch.fn << 3) | LEN) - varintSize(avail);
    if (inner <= 0) {
      throw new CodecError("too_large", `limit of ${budget} bytes is too small to split`);
    }
    for (const piece of splitMessage(level.next, buf, ch.cs, ch.ce, inner)) {
      entries.push({
        bytes: encodeLenField(ch.fn, piece),
        group: level.singular ? ++group : group,
      });
    }
  }
  const out: Uint8Array[] = [];
  let cur: Uint8Array[] = [];
  let curLen = 0;
  let curGroup = -1;
  const flush = () => {
    out.push(concatBytes([...header, ...cur]));
    cur = [];
    curLen = 0;
  };
  for (const en of entries) {
    const mustBreak = level.singular && cur.length > 0 && en.group !== curGroup;
    if (cur.length > 0 && (mustBreak || curLen + en.bytes.length > avail)) flush();
    cur.push(en.bytes);
    curLen += en.bytes.length;
    curGroup = en.group;
  }
  if (cur.length > 0 || out.length === 0) flush();
  return out;
}
