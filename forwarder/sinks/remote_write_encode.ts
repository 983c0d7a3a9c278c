/**
 * Encoders for the remote-write requests the Prometheus sink sends: 1.0
 * (`prometheus.WriteRequest`) and 2.0 (`io.prometheus.write.v2.Request`, with its symbol
 * table). Staleness markers are written with their exact bits.
 *
 * @module
 */
import { PbWriter } from "./_pb_writer.ts";
import {
  type PromHistogram,
  type PromLabel,
  type PromMetadata,
  type PromSeries,
  STALE_NAN_BITS,
} from "../translate/prom_types.ts";

/** Encodes a remote write 1.0 `WriteRequest` (uncompressed). */
export function encodeRemoteWriteV1(
  timeseries: readonly PromSeries[],
  metadata: readonly PromMetadata[] = [],
): Uint8Array {
  const w = new PbWriter(64 * 1024);
  for (const s of timeseries) {
    w.message(1, () => {
      for (const l of s.labels) w.message(1, () => w.string(1, l.name).string(2, l.value));
      for (const smp of s.samples) {
        w.message(2, () => {
          if (smp.stale) w.doubleBits(1, STALE_NAN_BITS);
          else w.double(1, smp.value);
          w.uint(2, smp.timestamp);
        });
      }
      for (const e of s.exemplars) {
        w.message(3, () => {
          for (const l of e.labels) w.message(1, () => w.string(1, l.name).string(2, l.value));
          w.double(2, e.value).uint(3, e.timestamp);
        });
      }
      for (const h of s.histograms) w.message(4, () => writeHistogram(w, h));
    });
  }
  for (const m of metadata) {
    w.message(
      3,
      () => w.uint(1, m.type).string(2, m.metricFamilyName).string(4, m.help).string(5, m.unit),
    );
  }
  return w.finish();
}

/** Encodes a remote write 2.0 `Request` (uncompressed); `metadata` is matched to series by family. */
export function encodeRemoteWriteV2(
  timeseries: readonly PromSeries[],
  metadata: readonly PromMetadata[] = [],
): Uint8Array {
  // The spec requires symbols[0] to be the empty string.
  const symbols = new Map<string, number>([["", 0]]);
  const ref = (s: string): number => {
    let r = symbols.get(s);
    if (r === undefined) {
      r = symbols.size;
      symbols.set(s, r);
    }
    return r;
  };
  const labelRefs = (labels: readonly PromLabel[]): number[] => {
    const out: number[] = [];
    for (const l of labels) out.push(ref(l.name), ref(l.value));
    return out;
  };
  const byFamily = new Map(metadata.map((m) => [m.metricFamilyName, m]));
  const series = new PbWriter(64 * 1024);
  for (const s of timeseries) {
    const name = s.labels.find((l) => l.name === "__name__")?.value ?? "";
    const meta = familyOf(byFamily, name);
    series.message(5, () => {
      series.packedUint(1, labelRefs(s.labels));
      for (const smp of s.samples) {
        series.message(2, () => {
          if (smp.stale) series.doubleBits(1, STALE_NAN_BITS);
          else series.double(1, smp.value);
          series.uint(2, smp.timestamp);
        });
      }
      for (const h of s.histograms) series.message(3, () => writeHistogram(series, h));
      for (const e of s.exemplars) {
        series.message(
          4,
          () => series.packedUint(1, labelRefs(e.labels)).double(2, e.value).uint(3, e.timestamp),
        );
      }
      if (meta) {
        const help = ref(meta.help);
        const unit = ref(meta.unit);
        series.message(5, () => series.uint(1, meta.type).uint(3, help).uint(4, unit));
      }
    });
  }
  const w = new PbWriter(series.length + 16 * symbols.size + 64);
  for (const s of symbols.keys()) w.stringAlways(4, s);
  w.raw(series.finish());
  return w.finish();
}

/** The metadata of a series name: its family, or the family a classic suffix belongs to. */
function familyOf(byFamily: Map<string, PromMetadata>, name: string): PromMetadata | undefined {
  const exact = byFamily.get(name);
  if (exact) return exact;
  const m = /^(.*)_(bucket|sum|count|created)$/.exec(name);
  return m ? byFamily.get(m[1]!) : undefined;
}

/** `Histogram` fields 1–15, identical in 1.0 and 2.0. */
function writeHistogram(w: PbWriter, h: PromHistogram): void {
  if (h.stale) w.doubleBits(2, STALE_NAN_BITS);
  else if (h.countFloat !== undefined) w.doubleAlways(2, h.countFloat);
  else w.uintAlways(1, h.countInt ?? 0);
  if (h.stale) w.doubleBits(3, STALE_NAN_BITS);
  else w.double(3, h.sum);
  w.sint(4, h.schema);
  w.double(5, h.zeroThreshold);
  if (h.zeroCountFloat !== undefined) w.doubleAlways(7, h.zeroCountFloat);
  else w.uintAlways(6, h.zeroCountInt ?? 0);
  for (const sp of h.negativeSpans) w.message(8, () => w.sint(1, sp.offset).uint(2, sp.length));
  w.packedSint(9, h.negativeDeltas);
  w.packedDouble(10, h.negativeCounts ?? []);
  for (const sp of h.positiveSpans) w.message(11, () => w.sint(1, sp.offset).uint(2, sp.length));
  w.packedSint(12, h.positiveDeltas);
  w.packedDouble(13, h.positiveCounts ?? []);
  w.uint(14, h.resetHint);
  w.uint(15, h.timestamp);
}
