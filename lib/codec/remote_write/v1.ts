/**
 * Prometheus remote write 1.0 (`prometheus.WriteRequest`), on the uncompressed protobuf
 * (snappy is {@linkcode snappyDecode}'s business).
 *
 * @module
 */
import type Long from "long";
import { CodecError } from "../codec_error.ts";
import { protoRoot } from "../proto.ts";
import { countSlotOf, type MessageInfo, messageInfo } from "../_schema.ts";
import { validateMessage, type WalkCounts, type WalkOptions } from "../_validate.ts";
import { concatBytes } from "../bytes.ts";
import { ByteSink, Cursor, LEN, lenFieldSize, plainBytes, readTag } from "../_wire.ts";
import {
  alreadyClean,
  checkTenantId,
  type LabelRef,
  normalizeLabels,
  TENANT_LABEL_BYTES,
  tenantInsertIndex,
} from "./_labels.ts";

/** `prometheus.Label`. */
export interface LabelV1 {
  name: string;
  value: string;
}

/** `prometheus.Sample`. */
export interface SampleV1 {
  value: number;
  timestamp: Long | number;
}

/** `prometheus.Exemplar`. */
export interface ExemplarV1 {
  labels: LabelV1[];
  value: number;
  timestamp: Long | number;
}

/** `prometheus.BucketSpan`. */
export interface BucketSpanV1 {
  offset: number;
  length: number;
}

/** `prometheus.Histogram` (native histogram). */
export interface HistogramV1 {
  countInt?: Long | number | null;
  countFloat?: number | null;
  sum: number;
  schema: number;
  zeroThreshold: number;
  zeroCountInt?: Long | number | null;
  zeroCountFloat?: number | null;
  negativeSpans: BucketSpanV1[];
  negativeDeltas: (Long | number)[];
  negativeCounts: number[];
  positiveSpans: BucketSpanV1[];
  positiveDeltas: (Long | number)[];
  positiveCounts: number[];
  /** `ResetHint`: 0 unknown, 1 yes, 2 no, 3 gauge. */
  resetHint: number;
  timestamp: Long | number;
  customValues: number[];
}

/** `prometheus.TimeSeries`. */
export interface TimeSeriesV1 {
  labels: LabelV1[];
  samples: SampleV1[];
  exemplars: ExemplarV1[];
  histograms: HistogramV1[];
}

/** `prometheus.MetricMetadata`. */
export interface MetricMetadataV1 {
  /** `MetricType`: 0 unknown, 1 counter, 2 gauge, 3 histogram, 4 gaugehistogram, 5 summary, 6 info, 7 stateset. */
  type: number;
  metricFamilyName: string;
  help: string;
  unit: string;
}

/** `prometheus.WriteRequest`. */
export interface WriteRequestV1 {
  timeseries: TimeSeriesV1[];
  metadata: MetricMetadataV1[];
}

/** Result of {@linkcode stampRemoteWriteV1}. */
export interface RemoteWriteStampResult {
  bytes: Uint8Array;
  series: number;
  samples: number;
  histograms: number;
  exemplars: number;
}

interface V1Schema {
  request: ReturnType<ReturnType<typeof protoRoot>["lookupType"]>;
  requestInfo: MessageInfo;
  series: MessageInfo;
  walk: WalkOptions;
  slots: { sample: number; histogram: number; exemplar: number };
}

let schema: V1Schema | undefined;

function v1(): V1Schema {
  if (schema) return schema;
  const root = protoRoot();
  const t = (n: string) => messageInfo(root.lookupType(n));
  const sample = t("prometheus.Sample");
  const histogram = t("prometheus.Histogram");
  const exemplar = t("prometheus.Exemplar");
  schema = {
    request: root.lookupType("prometheus.WriteRequest"),
    requestInfo: t("prometheus.WriteRequest"),
    series: t("prometheus.TimeSeries"),
    walk: { anyValue: null },
    slots: {
      sample: countSlotOf(sample),
      histogram: countSlotOf(histogram),
      exemplar: countSlotOf(exemplar),
    },
  };
  return schema;
}

/**
 * Strictly decodes a (decompressed) remote write 1.0 `WriteRequest`: malformed wire data,
 * wrong wire types and invalid UTF-8 are `CodecError("invalid")`. Label rules are not
 * judged here (see {@linkcode stampRemoteWriteV1}).
 */
export function decodeWriteRequestV1(bytes: Uint8Array): WriteRequestV1 {
  const s = v1();
  validateMessage(s.requestInfo, bytes, 0, bytes.length, s.walk, []);
  return s.request.decode(bytes) as unknown as WriteRequestV1;
}

/** Encodes a remote write 1.0 `WriteRequest` (uncompressed protobuf). */
export function encodeWriteRequestV1(msg: WriteRequestV1): Uint8Array {
  return plainBytes(v1().request.encode(msg).finish());
}

const TAG_1_LEN = (1 << 3) | LEN;
const TAG_2_LEN = (2 << 3) | LEN;

/** Encoded `labels` field (TimeSeries field 1) of one label. */
function labelFieldSize(nameLen: number, valueLen: number): number {
  return lenFieldSize(1, lenFieldSize(1, nameLen) + lenFieldSize(2, valueLen));
}

function writeLabel(sink: ByteSink, l: LabelRef): void {
  const n = l.ne - l.ns;
  const v = l.ve - l.vs;
  sink.lenHeader(1, lenFieldSize(1, n) + lenFieldSize(2, v));
  sink.lenHeader(1, n);
  sink.bytes(l.nb, l.ns, l.ne);
  sink.lenHeader(2, v);
  sink.bytes(l.vb, l.vs, l.ve);
}

/**
 * Validates a (decompressed) `WriteRequest` and stamps every series with
 * `tenant_id=<tenantId>`: any client `tenant_id` label is removed, labels come out sorted by
 * name (byte order) as the remote write 1.0 specification requires, labels with an empty
 * value are dropped (equivalent to absent), and a series without `__name__`, with an empty
 * label name or with a duplicate label name is `CodecError("invalid")`. Unsorted input is
 * accepted and sorted, not refused — sorting does not change the series' identity, and
 * Prometheus' own receiver accepts it too.
 *
 * Wire-level: only the `labels` of each series are rewritten; samples, exemplars, histograms
 * and metadata are copied byte for byte. Measured (same conditions as `stampOtlpTenant`):
 * 133 MB/s on 10,000 synthetic series, 129 MB/s on the Prometheus 3.16 fixture.
 */
export function stampRemoteWriteV1(bytes: Uint8Array, tenantId: string): RemoteWriteStampResult {
  checkTenantId(tenantId);
  const s = v1();
  const tenantValue = new TextEncoder().encode(tenantId);
  const tenantLabel: LabelRef = {
    nb: TENANT_LABEL_BYTES,
    ns: 0,
    ne: TENANT_LABEL_BYTES.length,
    vb: tenantValue,
    vs: 0,
    ve: tenantValue.length,
    tag: 0,
    tag2: 0,
  };
  const tenantSink = new ByteSink(64);
  writeLabel(tenantSink, tenantLabel);
  const tenantField = tenantSink.result();
  const counts: WalkCounts = [];
  const sink = new ByteSink(bytes.length + 1024);
  const c = new Cursor(bytes);
  let series = 0;
  while (c.pos < c.end) {
    const fs = c.pos;
    const tag = readTag(c);
    if (tag !== TAG_1_LEN) {
      // metadata (3) and anything unknown: validate by schema, copy verbatim.
      c.skipPayload(tag & 7);
      validateMessage(s.requestInfo, bytes, fs, c.pos, s.walk, counts);
      sink.bytes(bytes, fs, c.pos);
      continue;
    }
    const len = c.length();
    const ss = c.pos;
    const se = ss + len;
    c.pos = se;
    validateMessage(s.series, bytes, ss, se, s.walk, counts);
    const labels: LabelRef[] = [];
    const others: number[] = [];
    let othersLen = 0;
    const sc = new Cursor(bytes, ss, se);
    while (sc.pos < se) {
      const ofs = sc.pos;
      const t = readTag(sc);
      if (t === TAG_1_LEN) {
        const ll = sc.length();
        const l = parseLabel(bytes, sc.pos, sc.pos + ll);
        l.tag = ofs; // the whole field, for the fast path's verbatim copy
        l.tag2 = sc.pos + ll;
        labels.push(l);
        sc.pos += ll;
      } else {
        sc.skipPayload(t & 7);
        others.push(ofs, sc.pos);
        othersLen += sc.pos - ofs;
      }
    }
    if (alreadyClean(labels)) {
      // Fast path (what Prometheus sends): copy the label fields as they are and put the
      // encoded tenant label at its sorted place.
      const at = tenantInsertIndex(labels);
      let seriesLen = othersLen + tenantField.length;
      for (const l of labels) seriesLen += l.tag2 - l.tag;
      sink.lenHeader(1, seriesLen);
      for (let i = 0; i < labels.length; i++) {
        if (i === at) sink.bytes(tenantField);
        sink.bytes(bytes, labels[i]!.tag, labels[i]!.tag2);
      }
      if (at === labels.length) sink.bytes(tenantField);
    } else {
      const sorted = normalizeLabels(labels, series);
      sorted.splice(tenantInsertIndex(sorted), 0, tenantLabel);
      let seriesLen = othersLen;
      for (const l of sorted) seriesLen += labelFieldSize(l.ne - l.ns, l.ve - l.vs);
      sink.lenHeader(1, seriesLen);
      for (const l of sorted) writeLabel(sink, l);
    }
    for (let i = 0; i < others.length; i += 2) sink.bytes(bytes, others[i]!, others[i + 1]!);
    series++;
  }
  return {
    bytes: sink.result(),
    series,
    samples: counts[s.slots.sample] ?? 0,
    histograms: counts[s.slots.histogram] ?? 0,
    exemplars: counts[s.slots.exemplar] ?? 0,
  };
}

/** Name and value ranges of an encoded Label (last occurrence of each field wins). */
function parseLabel(buf: Uint8Array, s: number, e: number): LabelRef {
  const l: LabelRef = { nb: buf, ns: 0, ne: 0, vb: buf, vs: 0, ve: 0, tag: 0, tag2: 0 };
  const c = new Cursor(buf, s, e);
  while (c.pos < e) {
    const t = readTag(c);
    if (t === TAG_1_LEN || t === TAG_2_LEN) {
      const n = c.length();
      if (t === TAG_1_LEN) [l.ns, l.ne] = [c.pos, c.pos + n];
      else [l.vs, l.ve] = [c.pos, c.pos + n];
      c.pos += n;
    } else {
      c.skipPayload(t & 7);
    }
  }
  return l;
}

/**
 * Splits a `WriteRequest` into requests of at most `maxBytes`, by whole series (bytes
 * copied, never re-encoded). Metadata entries go first, so they land in the first
 * chunk(s). `CodecError("too_large")` only when one series (or metadata entry) alone is
 * larger than `maxBytes`.
 */
export function splitRemoteWriteV1(bytes: Uint8Array, maxBytes: number): Uint8Array[] {
  if (!(maxBytes > 0)) throw new RangeError("splitRemoteWriteV1: maxBytes must be positive");
  if (bytes.length <= maxBytes) return [bytes];
  const first: Uint8Array[] = [];
  const series: Uint8Array[] = [];
  const c = new Cursor(bytes);
  while (c.pos < c.end) {
    const fs = c.pos;
    const tag = readTag(c);
    c.skipPayload(tag & 7);
    (tag === TAG_1_LEN ? series : first).push(bytes.subarray(fs, c.pos));
  }
  const out: Uint8Array[] = [];
  let cur: Uint8Array[] = [];
  let curLen = 0;
  for (const entry of [...first, ...series]) {
    if (entry.length > maxBytes) {
      throw new CodecError(
        "too_large",
        `a single ${
          entry[0] === TAG_1_LEN ? "series" : "metadata entry"
        } of ${entry.length} bytes exceeds the limit of ${maxBytes} bytes`,
      );
    }
    if (curLen + entry.length > maxBytes) {
      out.push(concatBytes(cur));
      cur = [];
      curLen = 0;
    }
    cur.push(entry);
    curLen += entry.length;
  }
  if (cur.length > 0) out.push(concatBytes(cur));
  return out;
}
