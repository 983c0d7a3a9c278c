/**
 * The forwarder's self-metrics, each name declared once here.
 *
 * @module
 */
import {
  type Counter,
  type Gauge,
  type Histogram,
  type MetricsRegistry,
} from "../lib/metrics/mod.ts";

/** Write-latency buckets (seconds): sink requests take milliseconds to tens of seconds. */
const WRITE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Delay buckets (seconds) from ingest's receive time to the write. */
const DELAY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];

/** The metrics the forwarder maintains. */
export interface ForwarderMetrics {
  /** Records consumed from Kafka, by topic. */
  consumed: Counter;
  /** Records written by a sink, by sink and tenant. */
  sinkRecords: Counter;
  /** Bytes sent to a store, by sink and tenant. */
  sinkBytes: Counter;
  /** Sink requests that failed and will be retried, by sink. */
  retries: Counter;
  /** Records dead-lettered, by sink (or `decode`) and tenant. */
  deadLettered: Counter;
  /** Latency of successful sink requests, by sink. */
  writeSeconds: Histogram;
  /** Ingest receive time → written, by sink. */
  delaySeconds: Histogram;
  /** Consumer lag per topic/partition. */
  lag: Gauge;
  /** Partitions currently paused (retrying or memory bound). */
  pausedPartitions: Gauge;
  /** Record bytes held in memory. */
  bufferedBytes: Gauge;
  /** Offsets committed. */
  commits: Counter;
  /** OTLP metric points the specification cannot map, by tenant and reason. */
  metricPointsDropped: Counter;
  /** Log lines truncated to the store's limit, by tenant. */
  logLinesTruncated: Counter;
  /** Spans the trace store refused in a partial success, by tenant. */
  spansRejected: Counter;
}

/** Registers the forwarder's metrics on `registry`. */
export function createForwarderMetrics(registry: MetricsRegistry): ForwarderMetrics {
  return {
    consumed: registry.counter(
      "obstack_forwarder_records_consumed_total",
      "Records consumed from Kafka.",
      ["topic"],
    ),
    sinkRecords: registry.counter(
      "obstack_forwarder_sink_records_total",
      "Records written to a sink.",
      ["sink", "tenant"],
    ),
    sinkBytes: registry.counter(
      "obstack_forwarder_sink_bytes_total",
      "Bytes sent to a sink (after compression).",
      ["sink", "tenant"],
    ),
    retries: registry.counter(
      "obstack_forwarder_sink_retries_total",
      "Sink requests retried after a transient error.",
      [
        "sink",
      ],
    ),
    deadLettered: registry.counter(
      "obstack_forwarder_dead_lettered_total",
      "Records sent to the dead-letter topic, by refusing sink (decode = undecodable).",
      ["sink", "tenant"],
    ),
    writeSeconds: registry.histogram(
      "obstack_forwarder_sink_write_seconds",
      "Duration of successful sink requests.",
      ["sink"],
      WRITE_BUCKETS,
    ),
    delaySeconds: registry.histogram(
      "obstack_forwarder_delivery_delay_seconds",
      "Time from ingest receiving the data to the sink acknowledging it.",
      ["sink"],
      DELAY_BUCKETS,
    ),
    lag: registry.gauge(
      "obstack_forwarder_consumer_lag",
      "Records not yet committed, per partition.",
      [
        "topic",
        "partition",
      ],
    ),
    pausedPartitions: registry.gauge(
      "obstack_forwarder_paused_partitions",
      "Partitions paused (retrying or memory bound).",
    ),
    bufferedBytes: registry.gauge(
      "obstack_forwarder_buffered_bytes",
      "Record bytes held in memory.",
    ),
    commits: registry.counter("obstack_forwarder_commits_total", "Offset commits.", ["topic"]),
    metricPointsDropped: registry.counter(
      "obstack_forwarder_metric_points_dropped_total",
      "OTLP metric points with no Prometheus representation (e.g. delta temporality).",
      ["tenant", "reason"],
    ),
    logLinesTruncated: registry.counter(
      "obstack_forwarder_log_lines_truncated_total",
      "Log lines truncated to the log store's line limit.",
      ["tenant"],
    ),
    spansRejected: registry.counter(
      "obstack_forwarder_spans_rejected_total",
      "Spans the trace store refused in a partial success.",
      ["tenant"],
    ),
  };
}
