#!/bin/bash
# One-shot topic creation for compose (service redpanda-init). Idempotent: a topic that
# already exists is left as it is (change partitions or retention with rpk, see
# docs/operations.md), so restarting the stack never fails here.
#
# Env: OBSTACK_KAFKA_BROKERS, OBSTACK_TOPIC_LOGS/METRICS/TRACES/DLQ, TOPIC_PARTITIONS,
#      TOPIC_RETENTION_MS (signal topics), DLQ_RETENTION_MS (dead-letter topic).
set -euo pipefail

brokers="${OBSTACK_KAFKA_BROKERS:?OBSTACK_KAFKA_BROKERS is required}"
partitions="${TOPIC_PARTITIONS:-6}"

ensure_topic() {
  local topic="$1" retention_ms="$2"
  if rpk topic describe "$topic" -X brokers="$brokers" >/dev/null 2>&1; then
    echo "redpanda-init: topic $topic exists"
    return 0
  fi
  echo "redpanda-init: creating $topic (partitions=$partitions, retention.ms=$retention_ms)"
  # Replication factor 1: this compose file runs a single broker.
  rpk topic create "$topic" -X brokers="$brokers" \
    --partitions "$partitions" --replicas 1 \
    --topic-config cleanup.policy=delete \
    --topic-config retention.ms="$retention_ms"
}

ensure_topic "${OBSTACK_TOPIC_LOGS:-obstack.logs}" "${TOPIC_RETENTION_MS:-86400000}"
ensure_topic "${OBSTACK_TOPIC_METRICS:-obstack.metrics}" "${TOPIC_RETENTION_MS:-86400000}"
ensure_topic "${OBSTACK_TOPIC_TRACES:-obstack.traces}" "${TOPIC_RETENTION_MS:-86400000}"
ensure_topic "${OBSTACK_TOPIC_DLQ:-obstack.dlq}" "${DLQ_RETENTION_MS:-1209600000}"
echo "redpanda-init: done"
