/**
 * Private helpers to read decoded OTLP messages (protobufjs objects or plain objects of the same
 * shape): 64-bit integers may arrive as `Long`, `bigint`, `number` or decimal strings, and a field
 * of a `oneof` is present only when it is an own, non-null property.
 *
 * @module
 */

/** A 64-bit integer as the protobuf runtime may hand it over. */
export type Int64Like =
  | number
  | bigint
  | string
  | { low: number; high: number; unsigned?: boolean; toString(radix?: number): string };

/** Minimal view of `opentelemetry.proto.common.v1.AnyValue`. */
export interface AnyValueLike {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64Like | null;
  doubleValue?: number | null;
  arrayValue?: { values?: (AnyValueLike | null | undefined)[] | null } | null;
  kvlistValue?: { values?: (KeyValueLike | null | undefined)[] | null } | null;
  bytesValue?: Uint8Array | null;
}

/** Minimal view of `opentelemetry.proto.common.v1.KeyValue`. */
export interface KeyValueLike {
  key?: string | null;
  value?: AnyValueLike | null;
}

/** True when `field` is set on a decoded message (own property, not null/undefined). */
export function has(obj: object | null | undefined, field: string): boolean {
  if (obj === null || obj === undefined) return false;
  if (!Object.hasOwn(obj, field)) return false;
  const v = (obj as Record<string, unknown>)[field];
  return v !== undefined && v !== null;
}

/** Converts a 64-bit integer of any representation to a bigint (`0n` when absent). */
export function int64(v: Int64Like | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === "string") return v === "" ? 0n : BigInt(v);
  return BigInt(v.toString(10));
}

/** Converts a 64-bit integer to a JS number (exact up to 2^53). */
export function int64ToNumber(v: Int64Like | null | undefined): number {
  return Number(int64(v));
}

/** Unix nanoseconds → milliseconds, truncated (what Prometheus' remote write expects). */
export function nanosToMillis(v: Int64Like | null | undefined): number {
  return Number(int64(v) / 1_000_000n);
}

/**
 * An AnyValue as a plain JS value: strings, booleans and numbers as such, 64-bit integers as
 * numbers when exact (else decimal strings), bytes as base64, arrays and maps recursively.
 */
export function anyToJs(v: AnyValueLike | null | undefined, depth = 0): unknown {
  if (v === null || v === undefined) return null;
  if (depth > 32) return null; // bounded recursion: a hostile payload cannot blow the stack
  if (has(v, "stringValue")) return v.stringValue;
  if (has(v, "boolValue")) return v.boolValue;
  if (has(v, "intValue")) {
    const b = int64(v.intValue);
    return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(b)
      : b.toString();
  }
  if (has(v, "doubleValue")) return v.doubleValue;
  if (has(v, "bytesValue")) return bytesToBase64(v.bytesValue as Uint8Array);
  if (has(v, "arrayValue")) {
    return (v.arrayValue?.values ?? []).map((x) => anyToJs(x, depth + 1));
  }
  if (has(v, "kvlistValue")) {
    const out: Record<string, unknown> = {};
    for (const kv of v.kvlistValue?.values ?? []) {
      if (kv?.key) out[kv.key] = anyToJs(kv.value, depth + 1);
    }
    return out;
  }
  return null;
}

/**
 * An AnyValue rendered as a string, following the OpenTelemetry rule for non-OTLP protocols:
 * strings unchanged, booleans/numbers in their usual text form, bytes as base64, arrays and
 * maps as JSON.
 */
export function anyToString(v: AnyValueLike | null | undefined): string {
  const js = anyToJs(v);
  if (js === null) return "";
  if (typeof js === "string") return js;
  if (typeof js === "number") return Number.isFinite(js) ? String(js) : jsonNumberWord(js);
  if (typeof js === "boolean") return js ? "true" : "false";
  return JSON.stringify(
    js,
    (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? jsonNumberWord(x) : x),
  );
}

function jsonNumberWord(x: number): string {
  return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
}

/** Attributes as `[key, string value]` pairs, first occurrence of a key winning. */
export function attributePairs(
  attrs: readonly (KeyValueLike | null | undefined)[] | null | undefined,
): [string, string][] {
  const out: [string, string][] = [];
  const seen = new Set<string>();
  for (const kv of attrs ?? []) {
    const key = kv?.key;
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push([key, anyToString(kv.value)]);
  }
  return out;
}

/** Attributes as a plain object of JS values, first occurrence of a key winning. */
export function attributeObject(
  attrs: readonly (KeyValueLike | null | undefined)[] | null | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of attrs ?? []) {
    const key = kv?.key;
    if (!key || Object.hasOwn(out, key)) continue;
    out[key] = anyToJs(kv.value);
  }
  return out;
}

/** Lower-case hex of a byte string (trace and span ids); `""` for empty or all-zero ids. */
export function idToHex(b: Uint8Array | null | undefined): string {
  if (!b || b.length === 0) return "";
  let zero = true;
  let s = "";
  for (const x of b) {
    if (x !== 0) zero = false;
    s += x.toString(16).padStart(2, "0");
  }
  return zero ? "" : s;
}

function bytesToBase64(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) {
    s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  }
  return btoa(s);
}
