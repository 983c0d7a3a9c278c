/**
 * The ingest service assembled from its config: tenant registry, rate limiter, Kafka
 * producer, HTTP server, and graceful shutdown.
 *
 * @module
 */
import { createKafkaProducer, type KafkaProducer } from "../lib/kafka/mod.ts";
import { createLogger, type Logger } from "../lib/log/mod.ts";
import { createRateLimiter, createTenantRegistry, type TenantRegistry } from "../lib/tenant/mod.ts";
import type { IngestConfig } from "./config.ts";
import { createIngestMetrics } from "./metrics.ts";
import { createPublisher } from "./publisher.ts";
import { createIngestHandler, type IngestHandler } from "./server.ts";

/** A running ingest service. */
export interface IngestService {
  /** Where it listens, e.g. `http://127.0.0.1:4318`. */
  readonly url: string;
  readonly handler: IngestHandler;
  /** Stops accepting, drains in-flight requests (bounded by the grace period), flushes Kafka. */
  stop(): Promise<void>;
}

/**
 * Starts ingest. The broker need not be reachable at start: requests get 503 until it is.
 *
 * @example
 * ```ts
 * const svc = await startIngest(loadIngestConfig());
 * Deno.addSignalListener("SIGTERM", () => svc.stop());
 * ```
 */
export async function startIngest(
  config: IngestConfig,
  deps: { logger?: Logger } = {},
): Promise<IngestService> {
  const logger = deps.logger ?? createLogger("ingest", { level: config.logLevel });
  const metrics = createIngestMetrics();
  let tenants: TenantRegistry | undefined;
  let producer: KafkaProducer | undefined;
  try {
    tenants = await createTenantRegistry({ path: config.tenantsFile, logger });
    producer = await createKafkaProducer({
      brokers: config.kafkaBrokers,
      clientId: "obstack-ingest",
      compression: config.kafkaCompression,
      timeoutMs: config.publishTimeoutMs,
      maxRecordBytes: config.kafkaMaxRecordBytes,
      logger,
    });
  } catch (err) {
    tenants?.close();
    throw err;
  }
  const prod = producer;
  const publisher = createPublisher({
    producer: prod,
    topics: { logs: config.topicLogs, metrics: config.topicMetrics, traces: config.topicTraces },
    maxRecordBytes: config.kafkaMaxRecordBytes,
  });
  const retryAfterSeconds = Math.max(1, Math.ceil(config.retryAfterMs / 1000));
  const handler = createIngestHandler({
    tenants,
    limiter: createRateLimiter({
      defaultRequestsPerSecond: config.defaultRateLimitRps,
      defaultBytesPerSecond: config.defaultRateLimitBytes,
    }),
    publisher,
    brokerReady: () => prod.ready(2000),
    metrics,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    maxDecompressedBytes: config.maxDecompressedBytes,
    retryAfterSeconds,
  });

  const abort = new AbortController();
  const { promise: listening, resolve: onListen } = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: config.listen.hostname,
    port: config.listen.port,
    signal: abort.signal,
    onListen: (addr) => onListen(addr as Deno.NetAddr),
    onError: (err) => {
      logger.error("unhandled error in request handler", { error: String(err) });
      return new Response("internal error\n", { status: 500 });
    },
  }, handler.handle);
  const addr = await listening;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${addr.port}`;
  logger.info("ingest listening", { url, brokers: config.kafkaBrokers.join(",") });

  let stopping: Promise<void> | undefined;
  const tenantsReg = tenants;
  return {
    url,
    handler,
    stop() {
      stopping ??= (async () => {
        logger.info("shutting down: draining in-flight requests", {
          inFlight: handler.inFlight(),
        });
        handler.beginDrain();
        const grace = new Promise<"timeout">((r) => {
          const t = setTimeout(() => r("timeout"), config.shutdownGraceMs);
          Deno.unrefTimer(t);
        });
        const drained = await Promise.race([server.shutdown().then(() => "done" as const), grace]);
        if (drained === "timeout") {
          logger.warn("grace period over; closing remaining connections");
          abort.abort();
        }
        await server.finished.catch(() => {});
        await prod.close().catch((err) =>
          logger.error("producer close failed", { error: String(err) })
        );
        tenantsReg.close();
        logger.info("stopped");
      })();
      return stopping;
    },
  };
}
