/**
 * Protocol codecs: OTLP (protobuf and JSON), Prometheus remote write 1.0 and 2.0, snappy and
 * gzip with bounded output, and the shared protobuf schema.
 *
 * @module
 */
export * from "./bytes.ts";
export * from "./codec_error.ts";
export * from "./proto.ts";
export * from "./otlp.ts";
export * from "./otlp_types.ts";
export * from "./remote_write/v1.ts";
export * from "./remote_write/v2.ts";
export * from "./snappy.ts";
export * from "./gzip.ts";
