/**
 * The forwarder service: one consumer group member over the signal topics, a worker per
 * assigned partition, the sinks, the dead-letter producer and the admin endpoint
 * (`/healthz`, `/readyz`, `/metrics`).
 *
 * At-least-once: a partition's offset is committed only after every record of its batch was
 * written to each of its sinks or published to the dead-letter topic. On stop (SIGTERM) no new
 * batch is started; in-flight batches get the grace period to finish and commit, after which
 * they are abandoned uncommitted (redelivered to whoever owns the partition next); then the
 * member leaves the group so its partitions move at once.
 *
 * @module
 */
import {
  createKafkaAdmin,
  createKafkaConsumer,
  createKafkaProducer,
  type KafkaConsumer,
  type KafkaProducer,
} from "../lib/kafka/mod.ts";
import type { Logger } from "../lib/log/mod.ts";
import { createRegistry, metricsHandler, type MetricsRegistry } from "../lib/metrics/mod.ts";
import { createTenantRegistry, type TenantRegistry } from "../lib/tenant/mod.ts";
import { backoffDelay, sleep } from "./backoff.ts";
import { buildSinks } from "./build_sinks.ts";
import type { ForwarderConfig } from "./config.ts";
import { type DeadLetter, toDeadLetterRecord } from "./dead_letter.ts";
import { createDelivery } from "./deliver.ts";
import { createForwarderMetrics, type ForwarderMetrics } from "./metrics.ts";
import { type PartitionWorker, startPartitionWorker } from "./partition_worker.ts";
import type { Sink } from "./sinks/sink.ts";

/** Partitions of the topics the forwarder creates when they are missing (as `deno task up` does). */
const SIGNAL_TOPIC_PARTITIONS = 3;
const DLQ_TOPIC_PARTITIONS = 1;
/** How often consumer lag is sampled for `/metrics`. */
const LAG_INTERVAL_MS = 5000;

/** Options of {@linkcode createForwarderService}. */
export interface ForwarderServiceOptions {
  config: ForwarderConfig;
  log: Logger;
  /** Metrics registry (a new one by default). */
  registry?: MetricsRegistry;
  /** Sinks to use instead of the configured ones (tests). */
  sinks?: Sink[];
  /**
   * Called when consumption ends without `stop` (the consumer failed for good). The process
   * should stop and exit non-zero so its supervisor restarts it; nothing uncommitted is lost.
   */
  onFatal?: (error: unknown) => void;
}

/** A forwarder instance. */
export interface ForwarderService {
  /** Connects (retrying until Kafka answers or `stop` is called) and starts consuming. */
  start(): Promise<void>;
  /** Graceful stop; see the module documentation. Idempotent. */
  stop(): Promise<void>;
  /** The admin endpoint: `/healthz`, `/readyz`, `/metrics`. */
  handler(req: Request): Response;
  /** True while consuming and not stopping. */
  ready(): boolean;
  /** The metrics (for tests and the bench). */
  readonly metrics: ForwarderMetrics;
}

/**
 * Creates the service; nothing connects before {@linkcode ForwarderService.start}.
 *
 * @example
 * ```ts
 * const svc = createForwarderService({ config: loadForwarderConfig(), log });
 * await svc.start();
 * Deno.serve({ port: 9465 }, svc.handler);
 * ```
 */
export function createForwarderService(opts: ForwarderServiceOptions): ForwarderService {
  const cfg = opts.config;
  const log = opts.log;
  const registry = opts.registry ?? createRegistry();
  const metrics = createForwarderMetrics(registry);
  const serveMetrics = metricsHandler(registry);
  const abort = new AbortController(); // fires when the grace period is over
  const stopSignal = new AbortController(); // fires when stop() begins
  const workers = new Map<string, PartitionWorker>();
  let tenants: TenantRegistry | undefined;
  let sinks: Sink[] = [];
  let consumer: KafkaConsumer | undefined;
  let producer: KafkaProducer | undefined;
  let consuming = false;
  let stopping = false;
  let stopped: Promise<void> | undefined;
  let pumpDone: Promise<void> = Promise.resolve();
  let lagTimer: ReturnType<typeof setInterval> | undefined;
  const sinkState = new Map<string, string>();

  const topicsFor = (list: readonly Sink[]): string[] => {
    const topics = new Set<string>();
    for (const s of list) {
      for (const f of s.formats) {
        if (f === "otlp-logs") topics.add(cfg.topicLogs);
        else if (f === "otlp-traces") topics.add(cfg.topicTraces);
        else topics.add(cfg.topicMetrics);
      }
    }
    return [...topics];
  };

  /** Retries `fn` with back-off until it succeeds or stop is requested. */
  const untilStopped = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 0;; attempt++) {
      stopSignal.signal.throwIfAborted();
      try {
        return await fn();
      } catch (e) {
        if (stopSignal.signal.aborted) throw e;
        const delay = backoffDelay(attempt, {
          initialMs: cfg.retryInitialMs,
          maxMs: cfg.retryMaxMs,
        });
        log.warn(`${what} failed; retrying`, { error: e, attempt, delay_ms: delay });
        await sleep(delay, stopSignal.signal);
      }
    }
  };

  const sendDeadLetters = async (dead: DeadLetter[], signal: AbortSignal): Promise<void> => {
    const records = dead.map((d) => toDeadLetterRecord(cfg.topicDlq, d));
    for (let attempt = 0;; attempt++) {
      signal.throwIfAborted();
      try {
        await producer!.send(records);
        return;
      } catch (e) {
        // The DLQ is where records go when nothing else works: never give up on it, never
        // commit past records that are not safely there.
        const delay = backoffDelay(attempt, {
          initialMs: cfg.retryInitialMs,
          maxMs: cfg.retryMaxMs,
        });
        log.error("publishing dead letters failed; retrying", {
          error: e,
          records: records.length,
          delay_ms: delay,
        });
        await sleep(delay, signal);
      }
    }
  };

  const workerFor = (topic: string, partition: number): PartitionWorker => {
    const key = `${topic}/${partition}`;
    const have = workers.get(key);
    if (have && !have.done) return have;
    const c = consumer!;
    const w = startPartitionWorker({
      topic,
      partition,
      deliver,
      sendDeadLetters,
      commit: async (next) => {
        await c.commit(topic, partition, next);
        metrics.commits.inc({ topic });
      },
      assigned: () => c.assignment().some((a) => a.topic === topic && a.partition === partition),
      pause: () => c.pause(topic, partition),
      resume: () => c.resume(topic, partition),
      batchMaxRecords: cfg.batchMaxRecords,
      batchMaxBytes: cfg.batchMaxBytes,
      lingerMs: cfg.batchLingerMs,
      maxBufferedBytes: () =>
        Math.max(cfg.batchMaxBytes * 2, cfg.maxBufferedBytes / Math.max(1, workers.size)),
      onBuffered: (d) => metrics.bufferedBytes.inc({}, d),
      onPaused: (d) => metrics.pausedPartitions.inc({}, d),
      signal: abort.signal,
      log,
    });
    workers.set(key, w);
    return w;
  };

  let deliver: ReturnType<typeof createDelivery>;

  const refreshLag = async () => {
    if (!consumer) return;
    try {
      for (const [key, lag] of Object.entries(await consumer.lag())) {
        const slash = key.lastIndexOf("/");
        metrics.lag.set({ topic: key.slice(0, slash), partition: key.slice(slash + 1) }, lag);
      }
    } catch (e) {
      log.debug("lag sampling failed", { error: e });
    }
  };

  return {
    metrics,
    async start() {
      if (opts.sinks) sinks = opts.sinks;
      else {
        if (cfg.sinks.includes("logs") && cfg.logsBackend === "victorialogs") {
          tenants = await createTenantRegistry({ path: cfg.tenantsFile, logger: log });
        }
        sinks = buildSinks(cfg, { metrics, log, accountIdOf: (t) => tenants?.get(t)?.numericId });
      }
      deliver = createDelivery({
        sinks,
        batchMaxRecords: cfg.batchMaxRecords,
        batchMaxBytes: cfg.batchMaxBytes,
        retryInitialMs: cfg.retryInitialMs,
        retryMaxMs: cfg.retryMaxMs,
        metrics,
        log,
        onSinkStatus: (sink, ok, reason) =>
          sinkState.set(sink, ok ? "ok" : `retrying: ${reason ?? ""}`),
      });
      // Preparing a sink (e.g. the OpenSearch template) must not hold up the others: a sink
      // that is not ready yet prepares itself again before its first write.
      for (const s of sinks) {
        sinkState.set(s.name, "starting");
        untilStopped(`preparing sink ${s.name}`, () =>
          s.start(stopSignal.signal).catch((e) => {
            sinkState.set(s.name, `not ready: ${e instanceof Error ? e.message : e}`);
            throw e;
          })).then(() => sinkState.set(s.name, "ok"), () => {});
      }
      const topics = topicsFor(sinks);
      if (topics.length === 0) throw new Error("forwarder: no sink enabled");
      await untilStopped("creating topics", async () => {
        const admin = await createKafkaAdmin({ brokers: cfg.kafkaBrokers });
        try {
          await admin.ensureTopics([
            ...topics.map((name) => ({ name, partitions: SIGNAL_TOPIC_PARTITIONS })),
            { name: cfg.topicDlq, partitions: DLQ_TOPIC_PARTITIONS },
          ]);
        } finally {
          await admin.close();
        }
      });
      producer = await untilStopped(
        "connecting the dead-letter producer",
        () =>
          createKafkaProducer({
            brokers: cfg.kafkaBrokers,
            clientId: `${cfg.clientId}-dlq`,
            compression: "snappy",
            timeoutMs: 15_000,
            logger: log,
          }),
      );
      consumer = await untilStopped("joining the consumer group", () =>
        createKafkaConsumer({
          brokers: cfg.kafkaBrokers,
          groupId: cfg.group,
          clientId: cfg.clientId,
          topics,
          maxBatchRecords: cfg.fetchMaxRecords,
          maxWaitMs: cfg.fetchMaxWaitMs,
          logger: log,
        }));
      consuming = true;
      log.info("consuming", { topics, group: cfg.group, sinks: sinks.map((s) => s.name) });
      lagTimer = setInterval(refreshLag, LAG_INTERVAL_MS);
      const c = consumer;
      pumpDone = (async () => {
        let failure: unknown = new Error("the consumer's batch stream ended");
        try {
          for await (const b of c.batches()) {
            if (stopping) continue;
            metrics.consumed.inc({ topic: b.topic }, b.records.length);
            workerFor(b.topic, b.partition).enqueue(b.records);
          }
        } catch (e) {
          failure = e;
        } finally {
          consuming = false;
        }
        if (!stopping) {
          log.error("consumer stopped unexpectedly", { error: failure });
          opts.onFatal?.(failure);
        }
      })();
    },
    stop() {
      if (stopped) return stopped;
      stopping = true;
      stopSignal.abort(new Error("forwarder stopping"));
      stopped = (async () => {
        log.info("stopping: finishing in-flight batches", { grace_ms: cfg.shutdownGraceMs });
        const all = Promise.all([...workers.values()].map((w) => w.stop()));
        const inTime = await Promise.race([
          all.then(() => true),
          sleep(cfg.shutdownGraceMs).then(() => false),
        ]);
        if (!inTime) {
          log.warn(
            "grace period over: abandoning in-flight batches (uncommitted, they will be redelivered)",
          );
          abort.abort(new Error("shutdown grace period over"));
          await all;
        }
        if (lagTimer !== undefined) clearInterval(lagTimer);
        // Leaving the group hands the partitions over at once instead of after the session timeout.
        await consumer?.close().catch((e) =>
          log.warn("leaving the consumer group failed", { error: e })
        );
        await pumpDone;
        await producer?.close().catch((e) =>
          log.warn("closing the dead-letter producer failed", { error: e })
        );
        await Promise.all(sinks.map((s) => s.close().catch(() => {})));
        tenants?.close();
        log.info("stopped");
      })();
      return stopped;
    },
    ready: () => consuming && !stopping,
    handler(req: Request): Response {
      const path = new URL(req.url).pathname;
      if (path === "/metrics") return serveMetrics(req);
      if (path === "/healthz") return Response.json({ status: "ok" });
      if (path === "/readyz") {
        const ok = consuming && !stopping;
        return Response.json({
          ready: ok,
          consuming,
          stopping,
          partitions: consumer?.assignment().length ?? 0,
          sinks: Object.fromEntries(sinkState),
        }, { status: ok ? 200 : 503 });
      }
      return new Response("not found\n", { status: 404 });
    },
  };
}
