/**
 * The logs sink for the Loki push API (`POST …/loki/api/v1/push`, snappy-compressed protobuf
 * `logproto.PushRequest`). Two backends speak it:
 * - `loki`: the tenant id in `X-Scope-OrgID`;
 * - `victorialogs`: its Loki endpoint (`/insert/loki/api/v1/push`) keeps tenants apart only by the
 *   numeric `AccountID`/`ProjectID` headers and rejects a non-numeric `X-Scope-OrgID`, so the
 *   tenant's numeric id from the tenants file is sent as `AccountID`.
 *
 * @module
 */
import { snappyEncode } from "../../lib/codec/mod.ts";
import { type LokiStream, otlpLogsToLoki, sortByTime } from "../translate/logs_to_loki.ts";
import { PbWriter } from "./_pb_writer.ts";
import type { ItemFailure, Sink, WriteOutcome } from "./sink.ts";
import { fetchError, httpError, permanentError } from "./sink_error.ts";

/** Options of {@linkcode createLokiSink}. */
export interface LokiSinkOptions {
  backend: "loki" | "victorialogs";
  /** Base URL, or the full push URL ending in `/push`. */
  url: string;
  /** Longest line in UTF-8 bytes; longer ones are truncated with a marker. */
  maxLineBytes: number;
  /** Timeout of one request. */
  timeoutMs: number;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** The tenant's numeric id (required for `victorialogs`). */
  accountIdOf?: (tenant: string) => number | undefined;
  /** Told how many lines were truncated. */
  onTruncated?: (tenant: string, lines: number) => void;
  /** For tests. */
  fetch?: typeof fetch;
}

const PUSH_PATH = { loki: "/loki/api/v1/push", victorialogs: "/insert/loki/api/v1/push" } as const;

/** The push URL for a backend: `url` unchanged when it already ends in `/push`. */
export function lokiPushUrl(backend: "loki" | "victorialogs", url: string): string {
  const u = url.replace(/\/+$/, "");
  return u.endsWith("/push") ? u : u + PUSH_PATH[backend];
}

/**
 * Creates the Loki-push sink.
 *
 * @example
 * ```ts
 * const sink = createLokiSink({ backend: "victorialogs", url: "http://127.0.0.1:19428", maxLineBytes: 262144, timeoutMs: 10_000, accountIdOf: (t) => registry.get(t)?.numericId });
 * ```
 */
export function createLokiSink(opts: LokiSinkOptions): Sink {
  if (opts.backend === "victorialogs" && !opts.accountIdOf) {
    throw new TypeError("logs sink: victorialogs needs accountIdOf (the tenants' numeric ids)");
  }
  const url = lokiPushUrl(opts.backend, opts.url);
  const doFetch = opts.fetch ?? fetch;
  return {
    name: "logs",
    formats: ["otlp-logs"],
    start: () => Promise.resolve(),
    close: () => Promise.resolve(),
    async write(tenant, records, signal): Promise<WriteOutcome> {
      const headers: Record<string, string> = {
        ...opts.headers,
        // Snappy is implied for protobuf pushes (Promtail sends no Content-Encoding).
        "Content-Type": "application/x-protobuf",
        "User-Agent": "obstack-forwarder",
      };
      if (opts.backend === "loki") headers["X-Scope-OrgID"] = tenant;
      else {
        const id = opts.accountIdOf!(tenant);
        if (id === undefined) {
          // Without its numeric id the tenant's logs have no place in the store: dead-letter
          // them (replayable once the tenants file has the tenant) rather than block the partition.
          const error = permanentError(
            `logs: tenant ${tenant} has no numeric id in the tenants file`,
            {
              status: 422,
            },
          );
          return {
            failures: records.map((_, index): ItemFailure => ({ index, error })),
            bytesSent: 0,
          };
        }
        headers["AccountID"] = String(id);
        headers["ProjectID"] = "0";
      }
      const failures: ItemFailure[] = [];
      const streams = new Map<string, LokiStream>();
      let truncated = 0;
      records.forEach((rec, index) => {
        if (rec.payload.format !== "otlp-logs") {
          failures.push({
            index,
            error: permanentError(`logs: unexpected payload format ${rec.payload.format}`),
          });
          return;
        }
        const t = otlpLogsToLoki(rec.payload.request, {
          tenant,
          maxLineBytes: opts.maxLineBytes,
          fallbackTimeMs: rec.receivedAt,
        });
        truncated += t.truncated;
        for (const s of t.streams) {
          const have = streams.get(s.labels);
          if (have) have.entries.push(...s.entries);
          else streams.set(s.labels, { labels: s.labels, entries: [...s.entries] });
        }
      });
      if (truncated > 0) opts.onTruncated?.(tenant, truncated);
      if (streams.size === 0) return { failures, bytesSent: 0 };
      for (const s of streams.values()) sortByTime(s.entries);
      const body = snappyEncode(encodePushRequest([...streams.values()]));
      let res: Response;
      try {
        res = await doFetch(url, {
          method: "POST",
          headers,
          body: body as Uint8Array<ArrayBuffer>,
          signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]),
        });
      } catch (e) {
        throw fetchError("logs", e);
      }
      const err = await httpError("logs", res);
      if (err) throw err;
      return { failures, bytesSent: body.length };
    },
  };
}

/**
 * Encodes `logproto.PushRequest` (proto/loki/push.proto): streams (1) of labels (1) and
 * entries (2), each entry a `google.protobuf.Timestamp` (1), the line (2) and structured
 * metadata pairs (3).
 */
export function encodePushRequest(streams: readonly LokiStream[]): Uint8Array {
  const w = new PbWriter(64 * 1024);
  for (const s of streams) {
    w.message(1, () => {
      w.string(1, s.labels);
      for (const e of s.entries) {
        w.message(2, () => {
          const seconds = e.timestampNs / 1_000_000_000n;
          const nanos = Number(e.timestampNs % 1_000_000_000n);
          w.message(1, () => w.uint(1, seconds).uint(2, nanos));
          w.stringAlways(2, e.line);
          for (const p of e.structuredMetadata) {
            w.message(3, () => w.string(1, p.name).string(2, p.value));
          }
        });
      }
    });
  }
  return w.finish();
}
