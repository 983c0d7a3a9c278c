/**
 * Errors raised by the Kafka module. Each one says whether retrying can help, as STYLE.md asks
 * ("the error says whether to retry").
 *
 * @module
 */

/**
 * The broker could not be reached or did not acknowledge in time. Retrying later can succeed:
 * ingest maps it to `503` + `Retry-After`, the forwarder backs off and pauses.
 */
export class KafkaUnavailableError extends Error {
  /** Always true: the broker may come back. */
  readonly retriable = true;
  /** Suggested client back-off in seconds (for `Retry-After`). */
  readonly retryAfterSeconds: number;
  constructor(message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = "KafkaUnavailableError";
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }
}

/**
 * The broker refused the request for a reason a retry cannot fix (e.g. a record larger than the
 * topic's `max.message.bytes`, an unknown topic, invalid options).
 */
export class KafkaRequestError extends Error {
  /** Always false. */
  readonly retriable = false;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "KafkaRequestError";
  }
}
