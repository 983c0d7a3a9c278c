/**
 * Compact per-message field tables derived once from the protobufjs reflection objects, so
 * the byte-level walkers can look fields up by number in an array instead of going through
 * protobufjs' objects.
 *
 * @module
 */
import type protobuf from "protobufjs";
import { I32, I64, LEN, VARINT } from "./_wire.ts";

/** How a field's values look on the wire and in JSON. */
export type FieldKind =
  | "varint32" // int32, uint32, sint32, enum, bool: JSON number/bool
  | "varint64" // int64, uint64, sint64: JSON string
  | "fixed32" // fixed32, sfixed32: JSON number
  | "float" // float: JSON number
  | "fixed64" // fixed64, sfixed64: JSON string
  | "double"
  | "string"
  | "bytes"
  | "message";

/** One field of a message table. */
export interface FieldInfo {
  /** protobufjs (camelCase) name. */
  name: string;
  /** Name in the .proto file (snake_case). */
  protoName: string;
  number: number;
  kind: FieldKind;
  /** protobuf scalar type name (`int64`, `sint32`, `bool`, enum name, …). */
  type: string;
  /** Wire type of one element. */
  wire: number;
  repeated: boolean;
  /** Repeated scalar numeric: may arrive packed (wire type 2). */
  packable: boolean;
  isEnum: boolean;
  /** Enum value names → numbers, for enum fields. */
  enumValues: Readonly<Record<string, number>> | null;
  /** Member of a real (non-synthetic) oneof, or a proto3 optional. */
  oneof: string | null;
  /** Element message table, for message fields. */
  message: MessageInfo | null;
  /** OTLP/JSON writes these bytes fields as hex (trace/span ids). */
  hex: boolean;
}

/** A message table. */
export interface MessageInfo {
  fullName: string;
  type: protobuf.Type;
  /** Fields by number (sparse array). */
  byNumber: (FieldInfo | undefined)[];
  fields: FieldInfo[];
  /** Lookup by camelCase and by snake_case name (both accepted in JSON). */
  byJsonName: Map<string, FieldInfo>;
  /** Slot in a walk's counts array when occurrences of this type are counted, else -1. */
  countSlot: number;
}

let nextSlot = 0;

/**
 * Marks a message type as counted by the validating walker and returns its slot in the
 * counts array (records: log records, data points, spans, samples, …).
 */
export function countSlotOf(info: MessageInfo): number {
  if (info.countSlot < 0) info.countSlot = nextSlot++;
  return info.countSlot;
}

const KIND: Record<string, [FieldKind, number]> = {
  int32: ["varint32", VARINT],
  uint32: ["varint32", VARINT],
  sint32: ["varint32", VARINT],
  bool: ["varint32", VARINT],
  int64: ["varint64", VARINT],
  uint64: ["varint64", VARINT],
  sint64: ["varint64", VARINT],
  fixed32: ["fixed32", I32],
  sfixed32: ["fixed32", I32],
  float: ["float", I32],
  fixed64: ["fixed64", I64],
  sfixed64: ["fixed64", I64],
  double: ["double", I64],
  string: ["string", LEN],
  bytes: ["bytes", LEN],
};

const HEX_FIELDS = new Set(["trace_id", "span_id", "parent_span_id"]);

const cache = new Map<protobuf.Type, MessageInfo>();

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}

/** The table of a protobufjs type (built on first use, recursive types included). */
export function messageInfo(type: protobuf.Type): MessageInfo {
  const hit = cache.get(type);
  if (hit) return hit;
  const info: MessageInfo = {
    fullName: type.fullName.replace(/^\./, ""),
    type,
    byNumber: [],
    fields: [],
    byJsonName: new Map(),
    countSlot: -1,
  };
  cache.set(type, info);
  for (const f of type.fieldsArray) {
    f.resolve();
    let kind: FieldKind;
    let wire: number;
    let isEnum = false;
    let enumValues: Record<string, number> | null = null;
    let message: MessageInfo | null = null;
    const scalar = KIND[f.type];
    if (scalar) {
      [kind, wire] = scalar;
    } else if (f.resolvedType && "values" in f.resolvedType) {
      kind = "varint32";
      wire = VARINT;
      isEnum = true;
      enumValues = (f.resolvedType as protobuf.Enum).values;
    } else if (f.resolvedType) {
      kind = "message";
      wire = LEN;
      message = messageInfo(f.resolvedType as protobuf.Type);
    } else {
      throw new Error(`schema: unresolved type ${f.type} of ${type.fullName}.${f.name}`);
    }
    if (f.map) throw new Error(`schema: map fields are not used by these formats (${f.name})`);
    // protobufjs keeps the .proto name only when keepCase is on; derive it back.
    const protoName = snake(f.name);
    const fi: FieldInfo = {
      name: f.name,
      protoName,
      number: f.id,
      kind,
      type: f.type,
      wire,
      repeated: f.repeated,
      packable: f.repeated && kind !== "string" && kind !== "bytes" && kind !== "message",
      isEnum,
      enumValues,
      oneof: f.partOf ? f.partOf.name : null,
      message,
      hex: kind === "bytes" && HEX_FIELDS.has(protoName),
    };
    info.byNumber[f.id] = fi;
    info.fields.push(fi);
    info.byJsonName.set(f.name, fi);
    info.byJsonName.set(protoName, fi);
  }
  info.fields.sort((a, b) => a.number - b.number);
  return info;
}
