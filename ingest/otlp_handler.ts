/**
 * OTLP/HTTP export (`POST /v1/logs|metrics|traces`) as the OpenTelemetry specification
 * defines it (otlp.md, "OTLP/HTTP"): binary protobuf or JSON bodies, optional gzip, the
 * `Export*ServiceResponse` on success and a `google.rpc.Status` on failure, both in the
 * request's encoding.
 *
 * @module
 */
import {
  CodecError,
  gunzipBounded,
  otlpJsonToProtobuf,
  type ResponseEncoding,
  type Signal,
  splitOtlp,
  stampOtlpTenant,
} from "../lib/codec/mod.ts";
import { badRequest, payloadTooLarge, unsupportedMediaType } from "../lib/errors.ts";
import type { PayloadFormat } from "../lib/kafka/mod.ts";
import { contentEncoding, parseMediaType } from "./media_type.ts";

/** What the OTLP handler needs from the request pipeline. */
export interface OtlpContext {
  maxDecompressedBytes: number;
}

/** The decoded and enriched request, ready to publish. */
export interface PreparedOtlp {
  format: PayloadFormat;
  value: Uint8Array;
  records: number;
  split: (value: Uint8Array, maxBytes: number) => Uint8Array[];
}

const FORMAT: Record<Signal, PayloadFormat> = {
  logs: "otlp-logs",
  metrics: "otlp-metrics",
  traces: "otlp-traces",
};

/**
 * Encoding of a request by its `Content-Type`; null when the type is not one OTLP/HTTP
 * defines (the caller answers 415).
 */
export function otlpEncodingOf(req: Request): ResponseEncoding | null {
  const mt = parseMediaType(req.headers.get("content-type"));
  if (!mt) return null;
  if (mt.essence === "application/x-protobuf" || mt.essence === "application/protobuf") {
    return "protobuf";
  }
  if (mt.essence === "application/json") return "json";
  return null;
}

/** Checks the media type and content coding before the body is read. */
export function checkOtlpHeaders(req: Request): ResponseEncoding {
  const enc = otlpEncodingOf(req);
  if (enc === null) {
    throw unsupportedMediaType(
      "Content-Type must be application/x-protobuf or application/json",
    );
  }
  const ce = contentEncoding(req);
  if (ce !== "identity" && ce !== "gzip") {
    throw unsupportedMediaType("Content-Encoding must be gzip or absent");
  }
  return enc;
}

/**
 * Decompresses, decodes (JSON is converted to protobuf at the edge, DESIGN §5), validates and
 * stamps the tenant. Throws `ObstackError` 400/413 for bad input.
 */
export async function prepareOtlp(
  req: Request,
  signal: Signal,
  encoding: ResponseEncoding,
  body: Uint8Array,
  tenantId: string,
  ctx: OtlpContext,
): Promise<PreparedOtlp> {
  try {
    let raw = body;
    if (contentEncoding(req) === "gzip") raw = await gunzipBounded(body, ctx.maxDecompressedBytes);
    else if (raw.byteLength > ctx.maxDecompressedBytes) {
      throw new CodecError("too_large", "request exceeds the decompressed size limit");
    }
    let proto: Uint8Array;
    if (encoding === "json") {
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
      } catch {
        throw new CodecError("invalid", "JSON body is not valid UTF-8");
      }
      proto = otlpJsonToProtobuf(signal, text);
    } else {
      proto = raw;
    }
    const stamped = stampOtlpTenant(signal, proto, tenantId);
    return {
      format: FORMAT[signal],
      value: stamped.bytes,
      records: stamped.records,
      split: (v, max) => splitOtlp(signal, v, max),
    };
  } catch (err) {
    throw codecToHttp(err);
  }
}

/** Maps a codec failure to the client error it is (400 or 413); other errors pass through. */
export function codecToHttp(err: unknown): unknown {
  if (err instanceof CodecError) {
    if (err.kind === "too_large") return payloadTooLarge(err.message);
    if (err.kind === "unsupported") return unsupportedMediaType(err.message);
    return badRequest(err.message);
  }
  return err;
}
