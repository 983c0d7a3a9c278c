/**
 * The OpenSearch sink: `_bulk` index operations into per-tenant daily indices, with an index
 * template installed before the first write, and per-item results classified: 429 and 5xx items
 * are retried, other item errors dead-letter their record. Ids are deterministic
 * ({@linkcode otlpLogsToOpenSearch}), so a retry or replay overwrites instead of duplicating.
 *
 * @module
 */
import { Client, errors as osErrors } from "@opensearch-project/opensearch";
import type { ObstackError } from "../../lib/errors.ts";
import { type OpenSearchDoc, otlpLogsToOpenSearch } from "../translate/logs_to_opensearch.ts";
import type { ItemFailure, Sink, WriteOutcome } from "./sink.ts";
import { isRetriableHttpStatus, permanentError, retriableError } from "./sink_error.ts";

/** Options of {@linkcode createOpenSearchSink}. */
export interface OpenSearchSinkOptions {
  url: string;
  username?: string;
  password?: string;
  /** Index name prefix; the template covers `<prefix>-*`. */
  indexPrefix: string;
  replicas: number;
  shards: number;
  /** Timeout of one request. */
  timeoutMs: number;
}

/** Name of the index template the sink installs. */
export function templateName(prefix: string): string {
  return `obstack-${prefix}`;
}

/**
 * The index template: known fields typed; resource, record and scope attributes as
 * `flat_object` (one field each, however many keys clients send, so no mapping explosion);
 * unknown top-level fields kept in `_source` but not mapped (`dynamic: false`).
 */
export function indexTemplate(
  prefix: string,
  shards: number,
  replicas: number,
): Record<string, unknown> {
  return {
    index_patterns: [`${prefix}-*`],
    priority: 200,
    template: {
      settings: {
        number_of_shards: shards,
        number_of_replicas: replicas,
        refresh_interval: "1s",
      },
      mappings: {
        dynamic: false,
        properties: {
          "@timestamp": { type: "date_nanos" },
          observed_timestamp: { type: "date_nanos" },
          tenant_id: { type: "keyword" },
          level: { type: "keyword" },
          body: { type: "text" },
          severity: { properties: { text: { type: "keyword" }, number: { type: "integer" } } },
          trace_id: { type: "keyword" },
          span_id: { type: "keyword" },
          flags: { type: "long" },
          event_name: { type: "keyword" },
          service: { properties: { name: { type: "keyword" } } },
          resource: { type: "flat_object" },
          attributes: { type: "flat_object" },
          scope: {
            properties: {
              name: { type: "keyword" },
              version: { type: "keyword" },
              attributes: { type: "flat_object" },
            },
          },
        },
      },
    },
  };
}

interface BulkItem {
  status?: number;
  error?: { type?: string; reason?: string } | string;
}

/**
 * Creates the OpenSearch sink.
 *
 * @example
 * ```ts
 * const sink = createOpenSearchSink({ url: "http://127.0.0.1:19200", indexPrefix: "logs", replicas: 0, shards: 1, timeoutMs: 15_000 });
 * ```
 */
export function createOpenSearchSink(opts: OpenSearchSinkOptions): Sink {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(opts.indexPrefix)) {
    throw new TypeError(`opensearch sink: invalid index prefix ${opts.indexPrefix}`);
  }
  const client = new Client({
    node: opts.url,
    ...(opts.username ? { auth: { username: opts.username, password: opts.password ?? "" } } : {}),
    // Retries are the forwarder's business (back-off, partition pause); the client must not
    // retry behind its back.
    maxRetries: 0,
    requestTimeout: opts.timeoutMs,
  });
  let templateInstalled: Promise<void> | undefined;

  const installTemplate = async (): Promise<void> => {
    try {
      await client.indices.putIndexTemplate({
        name: templateName(opts.indexPrefix),
        body: indexTemplate(opts.indexPrefix, opts.shards, opts.replicas),
      });
    } catch (e) {
      throw classify(e, "installing the index template");
    }
  };
  /** Installs the template once; a failed attempt is retried by the next call. */
  const ensureTemplate = (): Promise<void> => {
    if (!templateInstalled) {
      templateInstalled = installTemplate().catch((e) => {
        templateInstalled = undefined;
        throw e;
      });
    }
    return templateInstalled;
  };

  return {
    name: "opensearch",
    formats: ["otlp-logs"],
    start: () => ensureTemplate(),
    close: () => client.close(),
    async write(tenant, records, _signal): Promise<WriteOutcome> {
      // Documents must never be indexed before the template exists (dynamic mappings would win).
      // A template the store refuses is a deployment problem, not the data's: retry, never
      // dead-letter records for it.
      await ensureTemplate().catch((e: ObstackError) => {
        throw e.retriable ? e : retriableError(e.message, { status: e.status, cause: e });
      });
      const failures: ItemFailure[] = [];
      const body: unknown[] = [];
      const owner: number[] = []; // bulk item → record index
      let bytes = 0;
      records.forEach((rec, index) => {
        if (rec.payload.format !== "otlp-logs") {
          failures.push({
            index,
            error: permanentError(`opensearch: unexpected payload format ${rec.payload.format}`),
          });
          return;
        }
        const docs: OpenSearchDoc[] = otlpLogsToOpenSearch(rec.payload.request, {
          tenant,
          indexPrefix: opts.indexPrefix,
          origin: rec.origin,
          fallbackTimeMs: rec.receivedAt,
        });
        for (const d of docs) {
          body.push({ index: { _index: d.index, _id: d.id } }, d.doc);
          owner.push(index);
        }
        bytes += rec.value.length;
      });
      if (owner.length === 0) return { failures, bytesSent: 0 };

      let items: Record<string, BulkItem>[];
      try {
        const res = await client.bulk({ body: body as Record<string, unknown>[] });
        items = (res.body as { items?: Record<string, BulkItem>[] }).items ?? [];
      } catch (e) {
        throw classify(e, "_bulk");
      }
      if (items.length !== owner.length) {
        throw retriableError(
          `opensearch: _bulk answered ${items.length} items for ${owner.length} documents`,
        );
      }
      // A record fails if any of its documents failed; retryable beats permanent (its retry
      // rewrites the same ids, so the documents that did land are not duplicated).
      const perRecord = new Map<number, ObstackError>();
      items.forEach((item, i) => {
        const r = Object.values(item)[0] ?? {};
        const status = r.status ?? 0;
        if (status >= 200 && status < 300) return;
        const rec = owner[i]!;
        const reason = typeof r.error === "string"
          ? r.error
          : `${r.error?.type ?? "error"}: ${r.error?.reason ?? ""}`;
        const msg = `opensearch: document ${i} of _bulk: HTTP ${status}: ${reason}`;
        const err = isRetriableHttpStatus(status)
          ? retriableError(msg, { status })
          : permanentError(msg, { status: status || 400 });
        const prev = perRecord.get(rec);
        if (!prev || (!prev.retriable && err.retriable)) perRecord.set(rec, err);
      });
      for (const [index, error] of perRecord) failures.push({ index, error });
      return { failures, bytesSent: bytes };
    },
  };
}

/** Client errors → retry or not: connection problems, timeouts, 429 and 5xx are transient. */
function classify(e: unknown, what: string): ObstackError {
  if (e instanceof osErrors.ResponseError) {
    const status = e.statusCode ?? 0;
    const reason = JSON.stringify(e.body?.error ?? e.body ?? e.message).slice(0, 300);
    const msg = `opensearch: ${what}: HTTP ${status}: ${reason}`;
    return isRetriableHttpStatus(status)
      ? retriableError(msg, { status, cause: e })
      : permanentError(msg, { status, cause: e });
  }
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return retriableError(`opensearch: ${what}: ${msg}`, { cause: e });
}
