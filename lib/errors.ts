/**
 * The one error type of Obstack and the one place that maps errors to HTTP status codes.
 *
 * Which codes a client retries is decided by the protocol specifications, not by us:
 * - OTLP/HTTP (opentelemetry-proto `docs/specification.md`, "Failures"): 429, 502, 503 and 504
 *   are retryable, honouring `Retry-After`; every other 4xx/5xx is not retried.
 * - Prometheus remote write 1.0/2.0 specification, "Retries & Backoff": senders retry on 5xx and
 *   on 429 (optionally honouring `Retry-After`); other 4xx are not retried and the data is dropped.
 * - RFC 9110 §15.5.20 / §15.6.4 and RFC 6585 §4: `Retry-After` accompanies 503 and 429.
 *
 * So a failure that is the client's fault is a 4xx (dropped by the client), a transient failure on
 * our side is a 503 + `Retry-After` (retried by both protocols), and a 500 is never produced on
 * purpose: an unknown error is reported as 500 only as a last resort.
 * @module
 */

/** Options of {@linkcode ObstackError}. */
export interface ObstackErrorOptions {
  /** Stable machine-readable code, e.g. `"bad_request"`. */
  code: string;
  /** Human-readable reason; safe to show to the client (no secrets, bounded length). */
  message: string;
  /** HTTP status code this error maps to. */
  status: number;
  /** Whether the operation may succeed if retried unchanged. Defaults from the status. */
  retriable?: boolean;
  /** Seconds after which a retry makes sense (sent as `Retry-After`). */
  retryAfterSeconds?: number;
  /** The underlying error, kept for logs only. */
  cause?: unknown;
}

/**
 * An error that says whether to retry it and which HTTP status it maps to.
 *
 * @example
 * ```ts
 * throw new ObstackError({ code: "bad_request", message: "invalid protobuf", status: 400 });
 * ```
 */
export class ObstackError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  /** HTTP status code. */
  readonly status: number;
  /** Whether a client (or the forwarder) should retry. */
  readonly retriable: boolean;
  /** Seconds to wait before a retry, if known. */
  readonly retryAfterSeconds?: number;

  /** Creates an error; `retriable` defaults to what the protocols retry for `status`. */
  constructor(opts: ObstackErrorOptions) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "ObstackError";
    this.code = opts.code;
    this.status = opts.status;
    this.retriable = opts.retriable ?? isRetriableStatus(opts.status);
    if (opts.retryAfterSeconds !== undefined) {
      this.retryAfterSeconds = Math.max(0, Math.ceil(opts.retryAfterSeconds));
    }
  }
}

/**
 * Whether OTLP and remote-write clients retry a response with this status.
 * OTLP retries 429/502/503/504; remote write retries 429 and every 5xx. We answer with the
 * intersection semantics in mind: 429 and 502–504 are retriable for both, other 5xx only for
 * remote write, so they count as retriable (we never emit them on purpose anyway).
 */
function isRetriableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** 400: the request is malformed; clients must not retry it (OTLP, remote write). */
export function badRequest(msg: string): ObstackError {
  return new ObstackError({ code: "bad_request", message: msg, status: 400, retriable: false });
}

/** 401: missing, unknown or disabled credentials (RFC 9110 §15.5.2; add `WWW-Authenticate`). */
export function unauthorized(msg: string): ObstackError {
  return new ObstackError({ code: "unauthorized", message: msg, status: 401, retriable: false });
}

/** 413: body or decompressed body over the limit (RFC 9110 §15.5.14); not retried. */
export function payloadTooLarge(msg: string): ObstackError {
  return new ObstackError({
    code: "payload_too_large",
    message: msg,
    status: 413,
    retriable: false,
  });
}

/** 415: unsupported `Content-Type` or `Content-Encoding` (RFC 9110 §15.5.16); not retried. */
export function unsupportedMediaType(msg: string): ObstackError {
  return new ObstackError({
    code: "unsupported_media_type",
    message: msg,
    status: 415,
    retriable: false,
  });
}

/** 405: wrong method; the response must carry `Allow` (RFC 9110 §15.5.6). */
export function methodNotAllowed(allowed: string[]): ObstackError {
  return new ObstackError({
    code: "method_not_allowed",
    message: `method not allowed; allowed: ${allowed.join(", ")}`,
    status: 405,
    retriable: false,
  });
}

/** 429 + `Retry-After` (RFC 6585 §4): retried by OTLP and remote-write clients. */
export function tooManyRequests(retryAfterSeconds: number): ObstackError {
  return new ObstackError({
    code: "too_many_requests",
    message: "rate limit exceeded",
    status: 429,
    retriable: true,
    retryAfterSeconds,
  });
}

/** 503 + `Retry-After` (RFC 9110 §15.6.4): transient, e.g. the broker did not acknowledge. */
export function unavailable(msg: string, retryAfterSeconds: number): ObstackError {
  return new ObstackError({
    code: "unavailable",
    message: msg,
    status: 503,
    retriable: true,
    retryAfterSeconds,
  });
}

/** What {@linkcode httpStatusOf} returns. */
export interface HttpStatusInfo {
  /** HTTP status code to answer with. */
  status: number;
  /** Whether the client is expected to retry. */
  retriable: boolean;
  /** Value for `Retry-After`, in seconds, when set. */
  retryAfterSeconds?: number;
  /** Client-safe message. */
  message: string;
}

/**
 * Maps any thrown value to the HTTP answer. The only such mapping in the code base.
 * An {@linkcode ObstackError} maps to its own status; anything else is an internal error
 * (500, message hidden from the client because it may carry internals).
 *
 * @example
 * ```ts
 * const { status, message } = httpStatusOf(badRequest("no body"));  // 400, "no body"
 * ```
 */
export function httpStatusOf(err: unknown): HttpStatusInfo {
  if (err instanceof ObstackError) {
    const out: HttpStatusInfo = {
      status: err.status,
      retriable: err.retriable,
      message: err.message,
    };
    if (err.retryAfterSeconds !== undefined) out.retryAfterSeconds = err.retryAfterSeconds;
    return out;
  }
  return { status: 500, retriable: true, message: "internal error" };
}
