/**
 * Ingest's self-metrics, declared once. Label `tenant` is empty for requests that were
 * not authenticated; `signal` is `logs`, `metrics`, `traces` or `remote_write`.
 *
 * @module
 */
import {
  createRegistry,
  DEFAULT_SECONDS_BUCKETS,
  type MetricsRegistry,
} from "../lib/metrics/mod.ts";

/** The metrics ingest records, bound to one registry. */
export interface IngestMetrics {
  readonly registry: MetricsRegistry;
  readonly requests: ReturnType<MetricsRegistry["counter"]>;
  readonly receivedBytes: ReturnType<MetricsRegistry["counter"]>;
  readonly records: ReturnType<MetricsRegistry["counter"]>;
  readonly kafkaRecords: ReturnType<MetricsRegistry["counter"]>;
  readonly publishSeconds: ReturnType<MetricsRegistry["histogram"]>;
  readonly requestSeconds: ReturnType<MetricsRegistry["histogram"]>;
  readonly inFlight: ReturnType<MetricsRegistry["gauge"]>;
}

/** Creates the ingest metrics in a new registry (or the one given). */
export function createIngestMetrics(registry: MetricsRegistry = createRegistry()): IngestMetrics {
  return {
    registry,
    requests: registry.counter(
      "obstack_ingest_requests_total",
      "Write requests by signal, tenant and HTTP status code.",
      ["signal", "tenant", "code"],
    ),
    receivedBytes: registry.counter(
      "obstack_ingest_received_bytes_total",
      "Request body bytes as received (before decompression), by signal and tenant.",
      ["signal", "tenant"],
    ),
    records: registry.counter(
      "obstack_ingest_records_total",
      "Log records, data points, spans or remote-write samples, by signal, tenant and outcome.",
      ["signal", "tenant", "outcome"],
    ),
    kafkaRecords: registry.counter(
      "obstack_ingest_kafka_records_total",
      "Kafka records acknowledged by the broker, by topic.",
      ["topic"],
    ),
    publishSeconds: registry.histogram(
      "obstack_ingest_publish_duration_seconds",
      "Time from handing a request's records to the producer until the broker acknowledged all.",
      ["signal"],
      DEFAULT_SECONDS_BUCKETS,
    ),
    requestSeconds: registry.histogram(
      "obstack_ingest_request_duration_seconds",
      "Whole write-request handling time, by signal.",
      ["signal"],
      DEFAULT_SECONDS_BUCKETS,
    ),
    inFlight: registry.gauge(
      "obstack_ingest_in_flight_requests",
      "Write requests being handled now.",
    ),
  };
}
