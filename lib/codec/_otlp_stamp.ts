/**
 * Wire-level tenant stamping of an OTLP export request.
 *
 * Why a splice is correct here: the three export requests share one shape — field 1 of the
 * request is `repeated Resource{Logs,Metrics,Spans}`, field 1 of each of those is the
 * `Resource`, field 1 of a `Resource` is `repeated KeyValue attributes`, field 1 of a
 * `KeyValue` is its key. Only those bytes change; each `Resource*` entry is re-emitted with
 * a new length prefix, the (merged) resource first, then every other field of the entry
 * copied byte for byte. A repeated singular `resource` field is merged by protobuf rules
 * (concatenation), which the splice reproduces by concatenating the kept parts. Everything
 * is validated by the strict walker before it is copied, so the output is exactly the
 * input with the attribute edit applied. For canonically ordered input the result equals,
 * byte for byte, decoding, editing and re-encoding (checked in the tests).
 *
 * @module
 */
import { CodecError } from "./codec_error.ts";
import type { SignalSchema } from "./_otlp_schema.ts";
import { validateMessage, type WalkCounts } from "./_validate.ts";
import { ByteSink, Cursor, LEN, lenFieldSize, putVarint, readTag } from "./_wire.ts";

const TAG_1_LEN = (1 << 3) | LEN; // 0x0a
const TAG_2_LEN = (2 << 3) | LEN; // 0x12
const TENANT_KEY = new TextEncoder().encode("tenant_id");

/** The `attributes` field (Resource field 1) holding `tenant_id=<tenantId>`, encoded. */
function tenantAttributeField(tenantId: string): Uint8Array {
  const value = new TextEncoder().encode(tenantId);
  const anyValueLen = lenFieldSize(1, value.length); // AnyValue.string_value
  const kvLen = lenFieldSize(1, TENANT_KEY.length) + lenFieldSize(2, anyValueLen);
  const out = new Uint8Array(lenFieldSize(1, kvLen));
  let p = 0;
  out[p++] = TAG_1_LEN;
  p = putVarint(out, p, kvLen);
  out[p++] = TAG_1_LEN; // KeyValue.key
  p = putVarint(out, p, TENANT_KEY.length);
  out.set(TENANT_KEY, p);
  p += TENANT_KEY.length;
  out[p++] = TAG_2_LEN; // KeyValue.value
  p = putVarint(out, p, anyValueLen);
  out[p++] = TAG_1_LEN; // AnyValue.string_value
  p = putVarint(out, p, value.length);
  out.set(value, p);
  return out;
}

/** True when the KeyValue in `buf[s, e)` has key `tenant_id` (the last key field wins). */
function isTenantKey(buf: Uint8Array, s: number, e: number): boolean {
  const c = new Cursor(buf, s, e);
  let ks = -1;
  let ke = -1;
  while (c.pos < e) {
    const tag = readTag(c);
    if (tag === TAG_1_LEN) {
      const len = c.length();
      ks = c.pos;
      ke = ks + len;
      c.pos = ke;
    } else {
      c.skipPayload(tag & 7);
    }
  }
  if (ke - ks !== TENANT_KEY.length) return false;
  for (let i = 0; i < TENANT_KEY.length; i++) if (buf[ks + i] !== TENANT_KEY[i]) return false;
  return true;
}

/** Re-emits the Resource* entry `buf[s, e)` with the tenant attribute spliced in. */
function spliceResourceX(
  buf: Uint8Array,
  s: number,
  e: number,
  tenantAttr: Uint8Array,
  sink: ByteSink,
): void {
  const kept: number[] = []; // [start, end, start, end, ...] of kept Resource fields
  const others: number[] = []; // other fields of the Resource* entry
  let insertAt = 0; // index in `kept` after the last kept attribute (canonical order)
  let resourceLen = tenantAttr.length;
  let othersLen = 0;
  const c = new Cursor(buf, s, e);
  while (c.pos < e) {
    const fs = c.pos;
    const tag = readTag(c);
    if (tag === TAG_1_LEN) {
      const len = c.length();
      const rs = c.pos;
      const re = rs + len;
      c.pos = re;
      const rc = new Cursor(buf, rs, re);
      while (rc.pos < re) {
        const afs = rc.pos;
        const atag = readTag(rc);
        let isAttr = false;
        if (atag === TAG_1_LEN) {
          const alen = rc.length();
          const kvs = rc.pos;
          rc.pos = kvs + alen;
          if (isTenantKey(buf, kvs, kvs + alen)) continue;
          isAttr = true;
        } else {
          rc.skipPayload(atag & 7);
        }
        kept.push(afs, rc.pos);
        if (isAttr) insertAt = kept.length;
        resourceLen += rc.pos - afs;
      }
    } else {
      c.skipPayload(tag & 7);
      others.push(fs, c.pos);
      othersLen += c.pos - fs;
    }
  }
  sink.lenHeader(1, lenFieldSize(1, resourceLen) + othersLen);
  sink.lenHeader(1, resourceLen);
  for (let i = 0; i < kept.length; i += 2) {
    if (i === insertAt) sink.bytes(tenantAttr);
    sink.bytes(buf, kept[i]!, kept[i + 1]!);
  }
  if (insertAt === kept.length) sink.bytes(tenantAttr);
  for (let i = 0; i < others.length; i += 2) sink.bytes(buf, others[i]!, others[i + 1]!);
}

/** Validates and stamps; see the module comment. */
export function stampOtlpBytes(
  schema: SignalSchema,
  bytes: Uint8Array,
  tenantId: string,
): { bytes: Uint8Array; resources: number; records: number } {
  const tenantAttr = tenantAttributeField(tenantId);
  const counts: WalkCounts = [];
  const sink = new ByteSink(bytes.length + 64 + tenantAttr.length * 4);
  const c = new Cursor(bytes);
  let resources = 0;
  while (c.pos < c.end) {
    const fs = c.pos;
    const tag = readTag(c);
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== LEN) {
        throw new CodecError(
          "invalid",
          "malformed protobuf: resource entry is not length-delimited",
        );
      }
      const len = c.length();
      const s = c.pos;
      c.pos = s + len;
      validateMessage(schema.resourceX, bytes, s, s + len, schema.walk, counts);
      // Worst case growth per resource: the attribute plus up to 8 bytes of length prefixes.
      sink.reserve(len + tenantAttr.length + 16);
      spliceResourceX(bytes, s, s + len, tenantAttr, sink);
      resources++;
    } else {
      // The request has no other fields today; keep unknown ones verbatim (proto3).
      c.skipPayload(tag & 7);
      sink.bytes(bytes, fs, c.pos);
    }
  }
  let records = 0;
  for (const slot of schema.recordSlots) records += counts[slot] ?? 0;
  return { bytes: sink.result(), resources, records };
}
