/** Maps errors of the client library onto the module's two error classes. */
import { KafkaRequestError, KafkaUnavailableError } from "./errors.ts";

/** Broker answers that a retry of the same request cannot fix. */
const PERMANENT_API_ERRORS = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "INVALID_TOPIC_EXCEPTION",
  "INVALID_REQUIRED_ACKS",
  "INVALID_TIMESTAMP",
  "TOPIC_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "GROUP_AUTHORIZATION_FAILED",
  "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
  "UNSUPPORTED_COMPRESSION_TYPE",
  "UNSUPPORTED_VERSION",
  "POLICY_VIOLATION",
  "INVALID_CONFIG",
  "INVALID_PARTITIONS",
  "INVALID_REPLICATION_FACTOR",
]);

interface LibErrorLike {
  code?: unknown;
  apiId?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
  serverErrorMessage?: unknown;
}

/** Every error in the library's error tree (MultipleErrors nest, causes chain). */
export function flattenErrors(e: unknown, out: LibErrorLike[] = [], depth = 0): LibErrorLike[] {
  if (!e || typeof e !== "object" || depth > 8) return out;
  const x = e as LibErrorLike;
  out.push(x);
  if (Array.isArray(x.errors)) {
    for (const inner of x.errors) {
      flattenErrors(inner, out, depth + 1);
    }
  }
  if (x.cause) flattenErrors(x.cause, out, depth + 1);
  return out;
}

/** The protocol error ids (e.g. `MESSAGE_TOO_LARGE`) found anywhere in a library error. */
export function apiErrorIds(e: unknown): string[] {
  return flattenErrors(e).map((x) => x.apiId).filter((x): x is string => typeof x === "string");
}

/** A one-line description of a library error, including nested causes (bounded). */
export function describeError(e: unknown): string {
  const parts: string[] = [];
  for (const x of flattenErrors(e)) {
    const msg = typeof x.message === "string" ? x.message : String(x);
    const id = typeof x.apiId === "string" ? `${x.apiId}: ` : "";
    const server = typeof x.serverErrorMessage === "string" ? ` (${x.serverErrorMessage})` : "";
    const s = `${id}${msg}${server}`;
    if (!parts.includes(s)) parts.push(s);
  }
  const text = parts.join(" <- ");
  return text.length > 600 ? text.slice(0, 600) + "…" : text;
}

/** Classifies a library error: permanent broker answers → KafkaRequestError, the rest retriable. */
export function toKafkaError(e: unknown, what: string): KafkaUnavailableError | KafkaRequestError {
  if (e instanceof KafkaUnavailableError || e instanceof KafkaRequestError) return e;
  const all = flattenErrors(e);
  const ids = apiErrorIds(e);
  const permanent = ids.find((id) => PERMANENT_API_ERRORS.has(id));
  if (permanent) {
    return new KafkaRequestError(`Kafka ${what} refused: ${describeError(e)}`, { cause: e });
  }
  // The library reports an unknown topic and invalid arguments as user errors.
  if (all.some((x) => x.code === "PLT_KFK_USER")) {
    return new KafkaRequestError(`Kafka ${what} failed: ${describeError(e)}`, { cause: e });
  }
  return new KafkaUnavailableError(`Kafka ${what} failed: ${describeError(e)}`, { cause: e });
}
