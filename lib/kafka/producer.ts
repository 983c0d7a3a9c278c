/**
 * The idempotent, acks=all producer ingest publishes through.
 *
 * Concurrent `send()` calls are queued and coalesced: at most one produce request is in flight at
 * a time (the client library forces `maxInflights = 1` for idempotent producers anyway), and the
 * records that queued up behind it go out together in the next request. This keeps sequence
 * numbers strictly ordered and turns many small HTTP requests into few large produce requests.
 *
 * Every call has a deadline. The client library retries a broker it cannot reach for ever
 * (idempotent mode), so on a deadline the caller gets a retriable {@linkcode KafkaUnavailableError}
 * and, when nobody waits for the in-flight request any more, the underlying client is closed and
 * replaced: its background retries stop (no late delivery of records the client was told to
 * retry) and the next send reconnects from scratch.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Producer, stringSerializer } from "@platformatic/kafka";
import type { OutRecord } from "./contract.ts";
import { KafkaRequestError, KafkaUnavailableError } from "./errors.ts";
import { type KafkaLogger, silentLogger } from "./_logger.ts";
import { apiErrorIds, describeError, toKafkaError } from "./_errors.ts";
import { parseBrokers } from "./_brokers.ts";
import {
  estimateRecordBytes,
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  RECORD_BATCH_OVERHEAD,
} from "./record_size.ts";

export type { KafkaLogger } from "./_logger.ts";

/** Batch-level compression codec. */
export type KafkaCompression = "none" | "gzip" | "snappy" | "lz4" | "zstd";

const COMPRESSIONS: readonly KafkaCompression[] = ["none", "gzip", "snappy", "lz4", "zstd"];

/** Options of {@linkcode createKafkaProducer}. */
export interface KafkaProducerConfig {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  clientId: string;
  compression: KafkaCompression;
  /** Upper bound for one `send()`; after it the send rejects with {@linkcode KafkaUnavailableError}. */
  timeoutMs: number;
  /**
   * Largest record batch the topics accept (their `max.message.bytes`, see
   * `KafkaAdmin.maxMessageBytes`). A record whose {@linkcode estimateRecordBytes} exceeds it minus
   * {@linkcode RECORD_BATCH_OVERHEAD} is rejected before sending; coalesced requests are cut so no
   * partition's batch exceeds it. Default: Kafka's default, 1048588.
   */
  maxRecordBytes?: number;
  logger?: KafkaLogger;
}

/** A connected producer. */
export interface KafkaProducer {
  /**
   * Publishes the records with acks=all through the idempotent producer. Resolves only when
   * every record is acknowledged; rejects within `timeoutMs` with a `KafkaUnavailableError`
   * (retriable) or a `KafkaRequestError` (not retriable). Never hangs.
   *
   * A rejection does not prove that no record was written (a request the broker received just
   * before the deadline may still be appended): delivery is at least once across client retries.
   */
  send(records: OutRecord[]): Promise<void>;
  /** True when a metadata request to the brokers succeeds within `timeoutMs`. */
  ready(timeoutMs: number): Promise<boolean>;
  /** Waits for queued and in-flight sends (each bounded by `timeoutMs`), then closes. */
  close(): Promise<void>;
}

interface Caller {
  remaining: number;
  settled: boolean;
  resolve(): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface Part {
  caller: Caller;
  record: OutRecord;
  bytes: number;
}

interface Inflight {
  callers: Set<Caller>;
  aborted: boolean;
}

type LibProducer = Producer<string, Buffer, string, string>;

/** Creates a producer. The broker need not be reachable yet: the first send connects. */
export async function createKafkaProducer(
  config: KafkaProducerConfig,
): Promise<KafkaProducer> {
  const brokers = parseBrokers(config.brokers, "brokers");
  if (!config.clientId) throw new KafkaRequestError("createKafkaProducer: clientId is empty");
  if (!COMPRESSIONS.includes(config.compression)) {
    throw new KafkaRequestError(
      `createKafkaProducer: compression must be one of ${COMPRESSIONS.join(", ")}`,
    );
  }
  if (!Number.isFinite(config.timeoutMs) || config.timeoutMs < 100) {
    throw new KafkaRequestError("createKafkaProducer: timeoutMs must be a number ≥ 100");
  }
  const maxBatchBytes = config.maxRecordBytes ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(maxBatchBytes) || maxBatchBytes < 2 * RECORD_BATCH_OVERHEAD) {
    throw new KafkaRequestError(
      `createKafkaProducer: maxRecordBytes must be an integer ≥ ${2 * RECORD_BATCH_OVERHEAD}`,
    );
  }
  const log = config.logger ?? silentLogger;
  const timeoutMs = config.timeoutMs;
  // Room for the batch header and for estimate slack of the batch-level fields.
  const recordLimit = maxBatchBytes - RECORD_BATCH_OVERHEAD;

  let generation = 0;
  const newLib = (): LibProducer => {
    generation++;
    return new Producer<string, Buffer, string, string>({
      clientId: config.clientId,
      bootstrapBrokers: brokers,
      idempotent: true,
      compression: config.compression,
      serializers: {
        key: stringSerializer,
        headerKey: stringSerializer,
        headerValue: stringSerializer,
      },
      // The produce request's broker-side timeout and the socket-level bounds. The library's own
      // retries are bounded by our deadline (the client is replaced when it passes).
      timeout: timeoutMs,
      requestTimeout: timeoutMs,
      connectTimeout: Math.min(timeoutMs, 5000),
      retries: Math.max(2, Math.ceil(timeoutMs / 250)),
      retryDelay: 250,
      metadataMaxAge: 30_000,
    });
  };
  let lib = newLib();

  const queue: Part[] = [];
  let inflight: Inflight | null = null;
  let closed = false;
  let drained: (() => void) | null = null;

  // The library's send() to a topic that does not exist waits for ever (INFRA.md). So the first
  // send to each topic checks that the topic exists: a missing topic is a configuration error
  // (KafkaRequestError), not a reason to answer 503 for ever.
  const verifiedTopics = new Set<string>();
  const verifying = new Map<string, Promise<void>>();
  const verifyTopic = (topic: string): Promise<void> => {
    let p = verifying.get(topic);
    if (!p) {
      p = lib.metadata({ topics: [topic], retries: 1 }).then(
        () => {
          verifiedTopics.add(topic);
        },
        (e: unknown) => {
          if (apiErrorIds(e).length === 0 && /unknown topic/i.test(describeError(e))) {
            throw new KafkaRequestError(`Kafka topic ${topic} does not exist`, { cause: e });
          }
          throw e;
        },
      ).finally(() => verifying.delete(topic));
      verifying.set(topic, p);
    }
    return p;
  };

  const settle = (c: Caller, error?: Error) => {
    if (c.settled) return;
    c.settled = true;
    clearTimeout(c.timer);
    if (error) c.reject(error);
    else c.resolve();
  };

  /** Closes the current client (stopping its retries) and starts a fresh one. */
  const retire = (why: string) => {
    const old = lib;
    lib = newLib();
    log.warn("kafka producer reconnecting", { reason: why, generation });
    old.close(true).catch((e) => log.debug?.("kafka producer close", { error: describeError(e) }));
  };

  const onDeadline = (c: Caller) => {
    settle(
      c,
      new KafkaUnavailableError(`Kafka did not acknowledge the records within ${timeoutMs} ms`),
    );
    // Nobody waits for the in-flight request any more: abandon it so its retries stop.
    if (inflight && !inflight.aborted && [...inflight.callers].every((x) => x.settled)) {
      inflight.aborted = true;
      retire("send deadline passed");
      inflight = null;
      pump();
    }
  };

  const pump = () => {
    if (inflight) return;
    // Drop parts of callers that already failed or timed out: they must not be sent late.
    while (queue.length > 0 && queue[0]!.caller.settled) queue.shift();
    if (queue.length === 0) {
      if (drained) drained();
      return;
    }
    const chunk: Part[] = [];
    let bytes = 0;
    while (queue.length > 0) {
      const p = queue[0]!;
      if (p.caller.settled) {
        queue.shift();
        continue;
      }
      if (chunk.length > 0 && bytes + p.bytes > recordLimit) break;
      chunk.push(p);
      bytes += p.bytes;
      queue.shift();
    }
    if (chunk.length === 0) {
      if (drained) drained();
      return;
    }
    const current: Inflight = { callers: new Set(chunk.map((p) => p.caller)), aborted: false };
    inflight = current;
    const client = lib;
    client.send({
      messages: chunk.map((p) => ({
        topic: p.record.topic,
        key: p.record.key,
        value: Buffer.from(
          p.record.value.buffer,
          p.record.value.byteOffset,
          p.record.value.byteLength,
        ),
        headers: p.record.headers,
      })),
    }).then(
      () => {
        if (current.aborted) return;
        for (const p of chunk) {
          if (--p.caller.remaining === 0) settle(p.caller);
        }
        inflight = null;
        pump();
      },
      (e: unknown) => {
        if (current.aborted) return;
        const err = toKafkaError(e, "publish");
        log.warn("kafka publish failed", {
          error: describeError(e),
          retriable: err.retriable,
          records: chunk.length,
        });
        for (const c of current.callers) settle(c, err);
        if (err.retriable && client === lib) retire("publish failed");
        inflight = null;
        pump();
      },
    );
  };

  const producer: KafkaProducer = {
    send(records: OutRecord[]): Promise<void> {
      if (closed) {
        return Promise.reject(new KafkaUnavailableError("Kafka producer is closed"));
      }
      if (records.length === 0) return Promise.resolve();
      const parts: Part[] = [];
      for (const record of records) {
        const bytes = estimateRecordBytes(record);
        if (bytes > recordLimit) {
          return Promise.reject(
            new KafkaRequestError(
              `record for ${record.topic} is ${bytes} bytes, over the limit of ${recordLimit}`,
            ),
          );
        }
        parts.push({ caller: undefined as unknown as Caller, record, bytes });
      }
      return new Promise<void>((resolve, reject) => {
        const caller: Caller = {
          remaining: parts.length,
          settled: false,
          resolve,
          reject,
          timer: undefined,
        };
        caller.timer = setTimeout(() => onDeadline(caller), timeoutMs);
        const enqueue = () => {
          if (caller.settled) return;
          for (const p of parts) {
            p.caller = caller;
            queue.push(p);
          }
          pump();
        };
        const unverified = [...new Set(records.map((r) => r.topic))].filter((t) =>
          !verifiedTopics.has(t)
        );
        if (unverified.length === 0) enqueue();
        else {
          Promise.all(unverified.map(verifyTopic)).then(
            enqueue,
            (e) => settle(caller, toKafkaError(e, "publish")),
          );
        }
      });
    },

    async ready(readyTimeoutMs: number): Promise<boolean> {
      if (closed) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        return await Promise.race([
          lib.metadata({ topics: [], forceUpdate: true, retries: 0 }).then(() => true, () => false),
          new Promise<boolean>((r) => timer = setTimeout(() => r(false), readyTimeoutMs)),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (inflight || queue.some((p) => !p.caller.settled)) {
        await new Promise<void>((r) => drained = r);
      }
      await lib.close(true).catch((e) =>
        log.warn("kafka producer close failed", { error: describeError(e) })
      );
    },
  };
  return await Promise.resolve(producer);
}
