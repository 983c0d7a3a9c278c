/**
 * Errors raised by the Kafka module. Both are {@linkcode ObstackError}s, so they say whether a
 * retry can help and map to an HTTP status through `httpStatusOf` (lib/errors.ts).
 *
 * @module
 */
import { ObstackError } from "../errors.ts";

/**
 * The broker could not be reached or did not acknowledge in time. Retrying later can succeed:
 * ingest answers `503` + `Retry-After`, the forwarder backs off and pauses the partition.
 */
export class KafkaUnavailableError extends ObstackError {
  /** Creates the error; `retryAfterSeconds` defaults to 1. */
  constructor(message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super({
      code: "kafka_unavailable",
      message,
      status: 503,
      retriable: true,
      retryAfterSeconds: options.retryAfterSeconds ?? 1,
      cause: options.cause,
    });
    this.name = "KafkaUnavailableError";
  }
}

/**
 * The broker or this module refused the request for a reason a retry cannot fix (a record larger
 * than the topic's `max.message.bytes`, an unknown topic, invalid options). It is a bug or a
 * misconfiguration on our side, hence `500`, never retried.
 */
export class KafkaRequestError extends ObstackError {
  /** Creates the error. */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({
      code: "kafka_request_rejected",
      message,
      status: 500,
      retriable: false,
      cause: options.cause,
    });
    this.name = "KafkaRequestError";
  }
}

/**
 * A commit was refused because this consumer no longer owns the partition (it was revoked by a
 * rebalance) or the group is rebalancing. The records stay uncommitted: whoever owns the
 * partition now receives them again. Not retriable by the caller: drop the batch and go on.
 */
export class KafkaCommitRejectedError extends ObstackError {
  /** Creates the error. */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({
      code: "kafka_commit_rejected",
      message,
      status: 409,
      retriable: false,
      cause: options.cause,
    });
    this.name = "KafkaCommitRejectedError";
  }
}
