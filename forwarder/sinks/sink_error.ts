/**
 * Turning store answers into `ObstackError`s that say whether to retry. Which answers are
 * retryable is decided by each protocol:
 * - Prometheus remote write 1.0/2.0 specification, "Retries & Backoff": retry on 5xx and 429;
 *   other 4xx (e.g. 400 for out-of-order, duplicate or out-of-bounds samples) must not be retried.
 * - Loki push API and OpenSearch follow HTTP semantics (RFC 9110 §15.5/§15.6, RFC 6585 §4): 429 and
 *   5xx are transient, other 4xx are about the request.
 * - OTLP (opentelemetry-proto `docs/specification.md`, "Failures"): HTTP 429/502/503/504 and gRPC
 *   CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS are retryable
 *   (RESOURCE_EXHAUSTED only with RetryInfo; we retry it too: a store under pressure recovers).
 *
 * @module
 */
import { concatBytes } from "../../lib/codec/mod.ts";
import { ObstackError } from "../../lib/errors.ts";

/** Longest upstream error text kept in a reason (it ends up in logs and DLQ headers). */
const MAX_REASON = 300;

/** A transient failure: retry after back-off. */
export function retriableError(
  message: string,
  opts: { status?: number; retryAfterSeconds?: number; cause?: unknown } = {},
): ObstackError {
  return new ObstackError({
    code: "sink_unavailable",
    message: truncate(message),
    status: opts.status ?? 503,
    retriable: true,
    ...(opts.retryAfterSeconds !== undefined ? { retryAfterSeconds: opts.retryAfterSeconds } : {}),
    ...(opts.cause !== undefined ? { cause: opts.cause } : {}),
  });
}

/** A permanent rejection of the data: dead-letter it. */
export function permanentError(
  message: string,
  opts: { status?: number; cause?: unknown } = {},
): ObstackError {
  return new ObstackError({
    code: "sink_rejected",
    message: truncate(message),
    status: opts.status ?? 400,
    retriable: false,
    ...(opts.cause !== undefined ? { cause: opts.cause } : {}),
  });
}

/** Whether an HTTP status from a store means "try again later" (429 and 5xx). */
export function isRetriableHttpStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * The error for a non-2xx HTTP answer (the body is read, bounded, into the message), or
 * undefined for 2xx.
 */
export async function httpError(sink: string, res: Response): Promise<ObstackError | undefined> {
  if (res.ok) {
    await res.body?.cancel();
    return undefined;
  }
  const text = await readBounded(res);
  const message = `${sink}: HTTP ${res.status}${text ? `: ${text}` : ""}`;
  if (isRetriableHttpStatus(res.status)) {
    const ra = parseRetryAfter(res.headers.get("retry-after"));
    return retriableError(message, {
      status: res.status,
      ...(ra !== undefined ? { retryAfterSeconds: ra } : {}),
    });
  }
  return permanentError(message, { status: res.status });
}

/** A failed `fetch` (connection refused, reset, DNS, timeout, abort) is transient. */
export function fetchError(sink: string, e: unknown): ObstackError {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return retriableError(`${sink}: request failed: ${msg}`, { cause: e });
}

/**
 * Normalises anything thrown inside a sink. `ObstackError`s and errors carrying a boolean
 * `retriable` (Kafka, codec errors) keep their verdict; anything else is a bug in translation or
 * encoding for this data, so it is dead-lettered rather than retried for ever.
 */
export function toSinkError(e: unknown): ObstackError {
  if (e instanceof ObstackError) return e;
  const retriable = (e as { retriable?: unknown } | null)?.retriable;
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  if (retriable === true) return retriableError(msg, { cause: e });
  return permanentError(msg, { status: 422, cause: e });
}

/** `Retry-After` as seconds (delta-seconds or HTTP-date, RFC 9110 §10.2.3). */
export function parseRetryAfter(v: string | null): number | undefined {
  if (v === null) return undefined;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const d = Date.parse(t);
  if (Number.isNaN(d)) return undefined;
  return Math.max(0, Math.ceil((d - Date.now()) / 1000));
}

async function readBounded(res: Response): Promise<string> {
  try {
    const reader = res.body?.getReader();
    if (!reader) return "";
    const chunks: Uint8Array[] = [];
    let n = 0;
    while (n < 4096) {
      const { value, done } = await reader.read();
      if (done || !value) break;
      chunks.push(value);
      n += value.length;
    }
    await reader.cancel().catch(() => {});
    return truncate(new TextDecoder().decode(concatBytes(chunks)).trim().replace(/\s+/g, " "));
  } catch {
    return "";
  }
}

function truncate(s: string): string {
  return s.length > MAX_REASON ? s.slice(0, MAX_REASON) + "…" : s;
}
