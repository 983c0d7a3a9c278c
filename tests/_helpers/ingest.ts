/**
 * Test helper: an in-process ingest service on a free port, with its own topics.
 *
 * @module
 */
import { loadIngestConfig } from "../../ingest/config.ts";
import { type IngestService, startIngest } from "../../ingest/service.ts";
import { createKafkaAdmin, decodeEnvelopeCounts, type InRecord, readTopic } from "./_kafka.ts";
import { createLogger } from "../../lib/log/mod.ts";

export { decodeEnvelopeCounts, readTopic };
export type { InRecord };

/** Unique topic names for one test. */
export interface TestTopics {
  logs: string;
  metrics: string;
  traces: string;
  dlq: string;
}

/** Makes topic names no other test uses. */
export function uniqueTopics(prefix = "t"): TestTopics {
  const id = `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
  return {
    logs: `${id}.logs`,
    metrics: `${id}.metrics`,
    traces: `${id}.traces`,
    dlq: `${id}.dlq`,
  };
}

/** Creates the topics (3 partitions; `maxMessageBytes` sets `max.message.bytes`). */
export async function createTopics(
  brokers: string[],
  topics: TestTopics,
  opts: { partitions?: number; maxMessageBytes?: number } = {},
): Promise<void> {
  const admin = await createKafkaAdmin({ brokers });
  try {
    const config: Record<string, string> = {};
    if (opts.maxMessageBytes) config["max.message.bytes"] = String(opts.maxMessageBytes);
    await admin.ensureTopics(
      Object.values(topics).map((name) => ({ name, partitions: opts.partitions ?? 3, config })),
    );
  } finally {
    await admin.close();
  }
}

/** Starts ingest in this process on 127.0.0.1:0 with the given settings (env names). */
export async function startTestIngest(opts: {
  brokers: string[];
  tenantsFile: string;
  topics: TestTopics;
  env?: Record<string, string>;
  quiet?: boolean;
}): Promise<IngestService> {
  const config = loadIngestConfig({
    OBSTACK_INGEST_LISTEN: "127.0.0.1:0",
    OBSTACK_KAFKA_BROKERS: opts.brokers.join(","),
    OBSTACK_TENANTS_FILE: opts.tenantsFile,
    OBSTACK_TOPIC_LOGS: opts.topics.logs,
    OBSTACK_TOPIC_METRICS: opts.topics.metrics,
    OBSTACK_TOPIC_TRACES: opts.topics.traces,
    OBSTACK_TOPIC_DLQ: opts.topics.dlq,
    OBSTACK_SHUTDOWN_GRACE: "5s",
    ...(opts.env ?? {}),
  });
  const logger = opts.quiet === false
    ? createLogger("ingest", { level: "info" })
    : createLogger("ingest", { level: "warn" });
  return await startIngest(config, { logger });
}
