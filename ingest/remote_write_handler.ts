/**
 * Prometheus remote write (`POST /api/v1/write`, `/api/v1/push`): protocol 1.0
 * (`prometheus.WriteRequest`) and 2.0 (`io.prometheus.write.v2.Request`), snappy block
 * compressed. The protobuf message is chosen by the `proto` parameter of `Content-Type`, as
 * the 2.0 specification says; 1.0 senders send none.
 *
 * @module
 */
import {
  snappyDecode,
  splitRemoteWriteV1,
  splitRemoteWriteV2,
  stampRemoteWriteV1,
  stampRemoteWriteV2,
} from "../lib/codec/mod.ts";
import { unsupportedMediaType } from "../lib/errors.ts";
import type { PayloadFormat } from "../lib/kafka/mod.ts";
import { codecToHttp } from "./otlp_handler.ts";
import { contentEncoding, parseMediaType } from "./media_type.ts";

/** Remote write protocol version of a request. */
export type RemoteWriteVersion = 1 | 2;

/** The decoded and enriched request, ready to publish, with the counts 2.0 reports. */
export interface PreparedRemoteWrite {
  version: RemoteWriteVersion;
  format: PayloadFormat;
  value: Uint8Array;
  series: number;
  samples: number;
  histograms: number;
  exemplars: number;
  split: (value: Uint8Array, maxBytes: number) => Uint8Array[];
}

const V1_PROTO = "prometheus.WriteRequest";
const V2_PROTO = "io.prometheus.write.v2.Request";

/**
 * Checks `Content-Type` and `Content-Encoding` before the body is read and returns the
 * protocol version. 415 for anything else (remote write 2.0 spec: a receiver MUST answer 415
 * to a `proto` it does not serve, so the sender can fall back).
 */
export function checkRemoteWriteHeaders(req: Request): RemoteWriteVersion {
  const mt = parseMediaType(req.headers.get("content-type"));
  if (!mt || (mt.essence !== "application/x-protobuf" && mt.essence !== "application/protobuf")) {
    throw unsupportedMediaType("Content-Type must be application/x-protobuf");
  }
  const proto = mt.params["proto"];
  let version: RemoteWriteVersion;
  if (proto === undefined || proto === V1_PROTO) version = 1;
  else if (proto === V2_PROTO) version = 2;
  else {
    throw unsupportedMediaType(
      `unsupported proto "${proto.slice(0, 64)}"; use ${V1_PROTO} or ${V2_PROTO}`,
    );
  }
  if (contentEncoding(req) !== "snappy") {
    throw unsupportedMediaType("Content-Encoding must be snappy (block format)");
  }
  return version;
}

/** Decompresses (bounded), validates and stamps the tenant label on every series. */
export function prepareRemoteWrite(
  version: RemoteWriteVersion,
  body: Uint8Array,
  tenantId: string,
  maxDecompressedBytes: number,
): PreparedRemoteWrite {
  try {
    const raw = snappyDecode(body, maxDecompressedBytes);
    const stamped = version === 1
      ? stampRemoteWriteV1(raw, tenantId)
      : stampRemoteWriteV2(raw, tenantId);
    return {
      version,
      format: version === 1 ? "prom-rw-v1" : "prom-rw-v2",
      value: stamped.bytes,
      series: stamped.series,
      samples: stamped.samples,
      histograms: stamped.histograms,
      exemplars: stamped.exemplars,
      split: version === 1 ? splitRemoteWriteV1 : splitRemoteWriteV2,
    };
  } catch (err) {
    throw codecToHttp(err);
  }
}
