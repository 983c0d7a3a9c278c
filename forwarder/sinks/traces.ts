/**
 * The traces sink: OTLP to the trace store with the tenant in `X-Scope-OrgID`, over
 * OTLP/HTTP (`POST /v1/traces`, protobuf) or OTLP/gRPC
 * (`opentelemetry.proto.collector.trace.v1.TraceService/Export`) through `@grpc/grpc-js`.
 *
 * Tempo takes both transports. Jaeger v2 keeps tenants apart only on its gRPC `remote_storage`
 * endpoint (INFRA.md), so the `jaeger` backend is gRPC only (enforced by the config).
 *
 * Records of one tenant are batched by concatenating their payloads: an
 * `ExportTraceServiceRequest` holds only a repeated field, and concatenated protobuf messages
 * merge repeated fields, so no re-encoding is needed.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import * as grpc from "@grpc/grpc-js";
import { concatBytes, protoRoot } from "../../lib/codec/mod.ts";
import type { ObstackError } from "../../lib/errors.ts";
import type { ItemFailure, Sink, WriteOutcome } from "./sink.ts";
import { fetchError, httpError, permanentError, retriableError } from "./sink_error.ts";

/** Options of {@linkcode createTracesSink}. */
export interface TracesSinkOptions {
  backend: "tempo" | "jaeger";
  protocol: "grpc" | "http";
  /** gRPC: `host:port`; http: base URL (`/v1/traces` appended unless present). */
  endpoint: string;
  /** TLS for gRPC. */
  tls?: boolean;
  /** Timeout of one export. */
  timeoutMs: number;
  /** Extra headers / gRPC metadata. */
  headers?: Record<string, string>;
  /** Told about spans the store refused in a partial success (not retryable by OTLP rules). */
  onRejectedSpans?: (tenant: string, count: number, message: string) => void;
}

const EXPORT_METHOD = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
const RESPONSE_TYPE = "opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse";

/**
 * gRPC codes OTLP retries (opentelemetry-proto `docs/specification.md`, "Failures"):
 * CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS.
 */
const RETRYABLE_GRPC = new Set<number>([
  grpc.status.CANCELLED,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.ABORTED,
  grpc.status.OUT_OF_RANGE,
  grpc.status.UNAVAILABLE,
  grpc.status.DATA_LOSS,
]);

/** The `…/v1/traces` URL of an OTLP/HTTP endpoint. */
export function otlpTracesUrl(endpoint: string): string {
  const u = endpoint.replace(/\/+$/, "");
  return u.endsWith("/v1/traces") ? u : `${u}/v1/traces`;
}

/**
 * Creates the traces sink.
 *
 * @example
 * ```ts
 * const sink = createTracesSink({ backend: "jaeger", protocol: "grpc", endpoint: "127.0.0.1:17271", timeoutMs: 10_000 });
 * ```
 */
export function createTracesSink(opts: TracesSinkOptions): Sink {
  if (opts.backend === "jaeger" && opts.protocol !== "grpc") {
    throw new TypeError("traces sink: Jaeger keeps tenants apart only over gRPC");
  }
  const send = opts.protocol === "grpc" ? grpcSender(opts) : httpSender(opts);
  return {
    name: "traces",
    formats: ["otlp-traces"],
    start: () => Promise.resolve(),
    close: () => send.close(),
    async write(tenant, records, signal): Promise<WriteOutcome> {
      const failures: ItemFailure[] = [];
      const parts: Uint8Array[] = [];
      records.forEach((rec, index) => {
        if (rec.payload.format === "otlp-traces") parts.push(rec.value);
        else {failures.push({
            index,
            error: permanentError(`traces: unexpected payload format ${rec.payload.format}`),
          });}
      });
      if (parts.length === 0) return { failures, bytesSent: 0 };
      const body = concatBytes(parts);
      const response = await send.export(tenant, body, signal);
      reportPartialSuccess(tenant, response, opts);
      return { failures, bytesSent: body.length };
    },
  };
}

interface Sender {
  /** Resolves with the encoded `ExportTraceServiceResponse`; throws an `ObstackError`. */
  export(tenant: string, body: Uint8Array, signal: AbortSignal): Promise<Uint8Array>;
  close(): Promise<void>;
}

function grpcSender(opts: TracesSinkOptions): Sender {
  const creds = opts.tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
  const client = new grpc.Client(opts.endpoint, creds, {
    // Reconnect quickly after the store comes back; our own back-off paces the retries.
    "grpc.initial_reconnect_backoff_ms": 200,
    "grpc.max_reconnect_backoff_ms": 2000,
    "grpc.max_send_message_length": 64 * 1024 * 1024,
  });
  return {
    export(tenant, body, signal) {
      return new Promise<Uint8Array>((resolve, reject) => {
        if (signal.aborted) {
          reject(retriableError("traces: aborted"));
          return;
        }
        const md = new grpc.Metadata();
        for (const [k, v] of Object.entries(opts.headers ?? {})) md.set(k.toLowerCase(), v);
        md.set("x-scope-orgid", tenant);
        const call = client.makeUnaryRequest<Uint8Array, Uint8Array>(
          EXPORT_METHOD,
          (x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength),
          (b) => new Uint8Array(b),
          body,
          md,
          { deadline: Date.now() + opts.timeoutMs },
          (err, value) => {
            signal.removeEventListener("abort", onAbort);
            if (err) reject(grpcError(err));
            else resolve(value ?? new Uint8Array());
          },
        );
        const onAbort = () => call.cancel();
        signal.addEventListener("abort", onAbort, { once: true });
      });
    },
    close() {
      client.close();
      return Promise.resolve();
    },
  };
}

function grpcError(err: grpc.ServiceError): ObstackError {
  const msg = `traces: gRPC ${grpc.status[err.code] ?? err.code}: ${err.details || err.message}`;
  return RETRYABLE_GRPC.has(err.code)
    ? retriableError(msg, { cause: err })
    : permanentError(msg, { cause: err });
}

function httpSender(opts: TracesSinkOptions): Sender {
  const url = otlpTracesUrl(opts.endpoint);
  return {
    async export(tenant, body, signal) {
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: {
            ...opts.headers,
            "Content-Type": "application/x-protobuf",
            "X-Scope-OrgID": tenant,
            "User-Agent": "obstack-forwarder",
          },
          body: body as Uint8Array<ArrayBuffer>,
          signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]),
        });
      } catch (e) {
        throw fetchError("traces", e);
      }
      if (!res.ok) throw (await httpError("traces", res))!;
      return new Uint8Array(await res.arrayBuffer());
    },
    close: () => Promise.resolve(),
  };
}

function reportPartialSuccess(tenant: string, response: Uint8Array, opts: TracesSinkOptions): void {
  if (response.length === 0 || !opts.onRejectedSpans) return;
  try {
    const type = protoRoot().lookupType(RESPONSE_TYPE);
    const msg = type.decode(response) as unknown as {
      partialSuccess?: { rejectedSpans?: { toString(): string } | number; errorMessage?: string };
    };
    const rejected = Number(String(msg.partialSuccess?.rejectedSpans ?? 0));
    if (rejected > 0 || msg.partialSuccess?.errorMessage) {
      opts.onRejectedSpans(tenant, rejected, msg.partialSuccess?.errorMessage ?? "");
    }
  } catch {
    // A response we cannot read changes nothing: the export itself succeeded.
  }
}
