/**
 * OTLP/JSON ⇄ protobuf message objects, driven by the schema tables.
 *
 * The mapping is the protobuf JSON mapping with the OTLP deviations (OTLP specification,
 * "JSON Protobuf Encoding"): `traceId`/`spanId`/`parentSpanId` are hex, not base64; enums are
 * integers; keys are lowerCamelCase (the original field names are accepted on input, as the
 * protobuf JSON mapping allows); 64-bit integers are decimal strings (numbers accepted on
 * input); unknown keys are ignored.
 *
 * @module
 */
import Long from "long";
import { CodecError } from "./codec_error.ts";
import { quoteInput } from "./_quote.ts";
import type { FieldInfo, MessageInfo } from "./_schema.ts";
import { MAX_ANY_VALUE_DEPTH } from "./_validate.ts";

/** A JSON number whose exact source text is kept (integers beyond 2^53). */
class ExactNumber {
  constructor(readonly source: string) {}
}

/** Integers with 16+ digits may be inexact as doubles; only then pay for the reviver. */
const LONG_NUMBER = /[0-9]{16}/;

/** Parses JSON text, keeping big integer literals exact. */
export function parseJson(text: string): unknown {
  try {
    if (!LONG_NUMBER.test(text)) return JSON.parse(text);
    return JSON.parse(text, function (_key, value, context?: { source?: string }) {
      if (typeof value === "number" && !Number.isSafeInteger(value) && context?.source) {
        return new ExactNumber(context.source);
      }
      return value;
    });
  } catch (e) {
    throw new CodecError("invalid", `invalid JSON: ${(e as Error).message.slice(0, 100)}`);
  }
}

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UNSIGNED = new Set(["uint64", "fixed64", "uint32", "fixed32"]);

function bad(path: string, what: string): CodecError {
  return new CodecError("invalid", `${path}: ${what}`);
}

function integerText(v: unknown, path: string): string {
  if (v instanceof ExactNumber) v = v.source;
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw bad(path, "expected an integer");
    return BigInt(v).toString();
  }
  if (typeof v === "string") {
    const t = v.trim();
    if (/^-?[0-9]+$/.test(t)) return t;
    // "1e3"-style integers are allowed by the protobuf JSON mapping.
    if (/^-?[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+$/.test(t)) {
      const n = Number(t);
      if (Number.isSafeInteger(n)) return String(n);
    }
    throw bad(path, `expected an integer, got ${quoteInput(v)}`);
  }
  throw bad(path, `expected an integer, got ${typeName(v)}`);
}

function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v;
}

function toLong(v: unknown, f: FieldInfo, path: string): Long {
  const b = BigInt(integerText(v, path));
  const unsigned = UNSIGNED.has(f.type);
  if (unsigned ? b < 0n || b > UINT64_MAX : b < INT64_MIN || b > INT64_MAX) {
    throw bad(path, "integer out of range");
  }
  const u = BigInt.asUintN(64, b);
  return new Long(Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0, unsigned);
}

function toInt32(v: unknown, f: FieldInfo, path: string): number {
  if (f.isEnum && typeof v === "string" && !/^-?[0-9]/.test(v)) {
    // Enum names are allowed by the protobuf JSON mapping (OTLP senders use integers).
    const e = f.enumValues && Object.hasOwn(f.enumValues, v) ? f.enumValues[v] : undefined;
    if (e === undefined) throw bad(path, `unknown enum value ${quoteInput(v)}`);
    return e;
  }
  const b = BigInt(integerText(v, path));
  const unsigned = UNSIGNED.has(f.type);
  if (unsigned ? b < 0n || b > 0xffffffffn : b < -(1n << 31n) || b >= 1n << 31n) {
    throw bad(path, "integer out of range");
  }
  return Number(b);
}

function toDouble(v: unknown, path: string): number {
  if (v instanceof ExactNumber) return Number(v.source);
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    if (v === "NaN") return NaN;
    if (v === "Infinity") return Infinity;
    if (v === "-Infinity") return -Infinity;
    const t = v.trim();
    if (t !== "" && /^-?[0-9.]+([eE][+-]?[0-9]+)?$/.test(t)) {
      const n = Number(t);
      if (!Number.isNaN(n)) return n;
    }
    throw bad(path, `expected a number, got ${quoteInput(v)}`);
  }
  throw bad(path, `expected a number, got ${typeName(v)}`);
}

function hexToBytes(s: string, path: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw bad(path, `expected a hex id, got ${quoteInput(s)}`);
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function base64ToBytes(s: string, path: string): Uint8Array {
  // Standard and URL-safe alphabets, padding optional (protobuf JSON mapping).
  const std = s.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(std) || std.length % 4 === 1) {
    throw bad(path, "expected base64 bytes");
  }
  const padded = std + "===".slice((std.length + 3) % 4);
  const bin = atob(padded);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function scalarFromJson(f: FieldInfo, v: unknown, path: string): unknown {
  switch (f.kind) {
    case "varint32":
      if (f.type === "bool") {
        if (typeof v !== "boolean") throw bad(path, `expected true or false, got ${typeName(v)}`);
        return v;
      }
      return toInt32(v, f, path);
    case "fixed32":
      return toInt32(v, f, path);
    case "varint64":
    case "fixed64":
      return toLong(v, f, path);
    case "float":
    case "double":
      return toDouble(v, path);
    case "string":
      if (typeof v !== "string") throw bad(path, `expected a string, got ${typeName(v)}`);
      if (!v.isWellFormed()) throw bad(path, "string holds a lone UTF-16 surrogate");
      return v;
    case "bytes":
      if (typeof v !== "string") throw bad(path, `expected a string, got ${typeName(v)}`);
      return f.hex ? hexToBytes(v, path) : base64ToBytes(v, path);
    default:
      throw new Error("unreachable");
  }
}

function isDefault(f: FieldInfo, v: unknown): boolean {
  if (v === 0 || v === false || v === "") return true;
  if (v instanceof Long) return v.isZero();
  if (v instanceof Uint8Array) return v.length === 0;
  return f.kind === "double" || f.kind === "float" ? Object.is(v, 0) : false;
}

/**
 * Converts a parsed OTLP/JSON object into a plain message object that protobufjs can
 * encode. Default scalar values are left out (proto3: not serialized) except where
 * presence matters (oneof members, proto3 `optional`).
 */
export function messageFromJson(
  info: MessageInfo,
  json: unknown,
  path: string,
  anyValue: MessageInfo | null,
  anyDepth = 0,
): Record<string, unknown> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw bad(path, `expected an object, got ${typeName(json)}`);
  }
  if (info === anyValue && ++anyDepth > MAX_ANY_VALUE_DEPTH) {
    throw bad(path, `attribute value nesting exceeds ${MAX_ANY_VALUE_DEPTH} levels`);
  }
  const out: Record<string, unknown> = {};
  const oneofSeen = new Map<string, string>();
  for (const key of Object.keys(json)) {
    const f = info.byJsonName.get(key);
    if (!f) continue; // unknown fields are ignored (OTLP spec)
    const v = (json as Record<string, unknown>)[key];
    const p = `${path}.${key}`;
    if (Object.hasOwn(out, f.name)) throw bad(p, "field given twice");
    if (v === null) continue; // null = default
    if (f.oneof && !f.oneof.startsWith("_")) {
      const other = oneofSeen.get(f.oneof);
      if (other) throw bad(p, `only one of ${other} and ${key} may be set`);
      oneofSeen.set(f.oneof, key);
    }
    if (f.repeated) {
      if (!Array.isArray(v)) throw bad(p, `expected an array, got ${typeName(v)}`);
      if (v.length === 0) continue;
      const arr = new Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const el = v[i];
        const ep = `${p}[${i}]`;
        if (el === null) throw bad(ep, "null is not allowed in a list");
        arr[i] = f.kind === "message"
          ? messageFromJson(f.message!, el, ep, anyValue, anyDepth)
          : scalarFromJson(f, el, ep);
      }
      out[f.name] = arr;
    } else if (f.kind === "message") {
      out[f.name] = messageFromJson(f.message!, v, p, anyValue, anyDepth);
    } else {
      const sv = scalarFromJson(f, v, p);
      if (f.oneof || !isDefault(f, sv)) out[f.name] = sv;
    }
  }
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex(u8: Uint8Array): string {
  let s = "";
  for (let i = 0; i < u8.length; i++) s += HEX[u8[i]!]!;
  return s;
}

function base64(u8: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < u8.length; i += 0x8000) {
    bin += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

function longText(v: unknown, f: FieldInfo): string {
  if (v instanceof Long || (typeof v === "object" && v !== null && "low" in v)) {
    const l = v as Long;
    const u = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
    return (UNSIGNED.has(f.type) ? u : BigInt.asIntN(64, u)).toString();
  }
  return BigInt(v as number | string).toString();
}

function scalarToJson(f: FieldInfo, v: unknown): unknown {
  switch (f.kind) {
    case "varint64":
    case "fixed64":
      return longText(v, f);
    case "float":
    case "double": {
      const n = v as number;
      return Number.isFinite(n) ? n : String(n);
    }
    case "bytes":
      return f.hex ? hex(v as Uint8Array) : base64(v as Uint8Array);
    default:
      return v;
  }
}

function isDefaultOut(f: FieldInfo, v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (f.kind === "varint64" || f.kind === "fixed64") return longText(v, f) === "0";
  if (f.kind === "bytes") return (v as Uint8Array).length === 0;
  if (f.kind === "double" || f.kind === "float") return Object.is(v, 0);
  return v === 0 || v === false || v === "";
}

/** Converts a decoded protobufjs message into an OTLP/JSON-ready plain object. */
export function messageToJson(
  info: MessageInfo,
  msg: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of info.fields) {
    const v = msg[f.name];
    if (f.repeated) {
      const arr = v as unknown[] | undefined;
      if (!arr || arr.length === 0) continue;
      out[f.name] = f.kind === "message"
        ? arr.map((m) => messageToJson(f.message!, m as Record<string, unknown>))
        : arr.map((x) => scalarToJson(f, x));
    } else if (f.kind === "message") {
      if (v !== null && v !== undefined) {
        out[f.name] = messageToJson(f.message!, v as Record<string, unknown>);
      }
    } else if (f.oneof) {
      // Presence is what matters for oneof members and proto3 optional fields.
      if (Object.hasOwn(msg, f.name) && v !== null && v !== undefined) {
        out[f.name] = scalarToJson(f, v);
      }
    } else if (!isDefaultOut(f, v)) {
      out[f.name] = scalarToJson(f, v);
    }
  }
  return out;
}
