/**
 * Topic administration: idempotent topic creation and the record size limit of a topic.
 *
 * Topics must exist before anyone produces to them: the client library's `send()` to a missing
 * topic hangs instead of failing (INFRA.md), so `deno task up`, ingest and the tests call
 * {@linkcode KafkaAdmin.ensureTopics} first.
 *
 * @module
 */
import { Admin, ConfigResourceTypes } from "@platformatic/kafka";
import { KafkaRequestError, KafkaUnavailableError } from "./errors.ts";
import { apiErrorIds, toKafkaError } from "./_errors.ts";
import { parseBrokers } from "./_brokers.ts";
import { withDeadline } from "./_deadline.ts";
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from "./record_size.ts";

/** A topic to create when missing. */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Topic configs, e.g. `{ "max.message.bytes": "4194304", "compression.type": "producer" }`. */
  config?: Record<string, string>;
}

/** Options of {@linkcode createKafkaAdmin}. */
export interface KafkaAdminConfig {
  brokers: string[];
  /** Upper bound for each admin call (default 15000). */
  timeoutMs?: number;
  /** Client id shown in broker logs (default `obstack-admin`). */
  clientId?: string;
}

/** A connected admin client. */
export interface KafkaAdmin {
  /**
   * Creates the topics that do not exist yet and waits until every partition of every listed
   * topic has a leader. Existing topics are left as they are (partitions and config untouched).
   */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** The effective `max.message.bytes` of a topic (what one record batch may weigh). */
  maxMessageBytes(topic: string): Promise<number>;
  /** Deletes topics (tests only; missing topics are ignored). */
  deleteTopics(topics: string[]): Promise<void>;
  close(): Promise<void>;
}

const TOPIC_RE = /^[A-Za-z0-9._-]{1,249}$/;

/** Creates an admin client (connects lazily). */
export async function createKafkaAdmin(config: KafkaAdminConfig): Promise<KafkaAdmin> {
  const brokers = parseBrokers(config.brokers, "brokers");
  const timeoutMs = config.timeoutMs ?? 15_000;
  const admin = new Admin({
    clientId: config.clientId ?? "obstack-admin",
    bootstrapBrokers: brokers,
    timeout: timeoutMs,
    requestTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 5000),
    retries: 3,
    retryDelay: 250,
  });

  const call = <T>(what: string, p: () => Promise<T>): Promise<T> =>
    withDeadline(
      p().catch((e) => Promise.reject(toKafkaError(e, what))),
      timeoutMs,
      () => new KafkaUnavailableError(`Kafka ${what} did not answer within ${timeoutMs} ms`),
    );

  async function waitForLeaders(names: string[]): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      try {
        const md = await admin.metadata({ topics: names, forceUpdate: true, retries: 0 });
        const missing = names.filter((n) => {
          const t = md.topics.get(n);
          return !t || t.partitionsCount === 0 || t.partitions.some((p) => !p || p.leader < 0);
        });
        if (missing.length === 0) return;
        last = `no leader yet for ${missing.join(", ")}`;
      } catch (e) {
        last = toKafkaError(e, "metadata").message;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new KafkaUnavailableError(`topics not ready within ${timeoutMs} ms: ${last}`);
  }

  const self: KafkaAdmin = {
    async ensureTopics(topics: TopicSpec[]): Promise<void> {
      for (const t of topics) {
        if (!TOPIC_RE.test(t.name)) {
          throw new KafkaRequestError(`invalid topic name ${JSON.stringify(t.name)}`);
        }
        if (!Number.isSafeInteger(t.partitions) || t.partitions < 1) {
          throw new KafkaRequestError(`topic ${t.name}: partitions must be a positive integer`);
        }
      }
      if (topics.length === 0) return;
      const existing = new Set(await call("listTopics", () => admin.listTopics()));
      for (const t of topics) {
        if (existing.has(t.name)) continue;
        try {
          await call("createTopics", () =>
            admin.createTopics({
              topics: [t.name],
              partitions: t.partitions,
              replicas: -1,
              configs: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
            }));
        } catch (e) {
          // Another process created it between our list and create: that is success.
          if (!apiErrorIds((e as Error).cause ?? e).includes("TOPIC_ALREADY_EXISTS")) throw e;
        }
      }
      await waitForLeaders(topics.map((t) => t.name));
    },

    async maxMessageBytes(topic: string): Promise<number> {
      const res = await call("describeConfigs", () =>
        admin.describeConfigs({
          resources: [{
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: topic,
            configurationKeys: ["max.message.bytes"],
          }],
        }));
      const value = res[0]?.configs.find((c) => c.name === "max.message.bytes")?.value;
      const n = value == null ? KAFKA_DEFAULT_MAX_MESSAGE_BYTES : Number(value);
      if (!Number.isSafeInteger(n) || n <= 0) {
        throw new KafkaRequestError(`topic ${topic}: unexpected max.message.bytes ${value}`);
      }
      return n;
    },

    async deleteTopics(names: string[]): Promise<void> {
      const existing = new Set(await call("listTopics", () => admin.listTopics()));
      const present = names.filter((n) => existing.has(n));
      if (present.length > 0) {
        await call("deleteTopics", () => admin.deleteTopics({ topics: present }));
      }
    },

    async close(): Promise<void> {
      await admin.close();
    },
  };
  return await Promise.resolve(self);
}
