/**
 * Full-text search over the tenant's OpenSearch log indices. The indices are named from the
 * session's tenant and the time range only — `logs-<tenant>-YYYY.MM.DD`, one name per UTC day —
 * never from input, and never with a wildcard: `logs-acme-*` would also match the indices of a
 * tenant called `acme-eu` (tenant ids may contain `-`), while an exact day name cannot, because a
 * tenant id cannot contain a `.`.
 * @module
 */
import { badRequest } from "../../lib/errors.ts";
import { createUpstream } from "../backends/upstream.ts";
import type { TenantScope } from "../traces/trace_reader.ts";

/** Options of {@linkcode createOpenSearchSearch}. */
export interface OpenSearchSearchOptions {
  /** OpenSearch base URL, e.g. `http://127.0.0.1:9200`. */
  url: string;
  /** Index name prefix before the tenant id. Default `logs-`. */
  indexPrefix?: string;
  /** Document time field. Default `@timestamp`. */
  timeField?: string;
  /** Time limit of one request in ms. */
  timeoutMs?: number;
  /** Injectable fetch (tests). */
  fetch?: typeof fetch;
}

/** A field filter: the field must contain the phrase. */
export interface FieldFilter {
  /** Field name (dotted path). */
  field: string;
  /** Value (phrase) it must match. */
  value: string;
}

/** Parameters of a search. */
export interface SearchQuery {
  /** Full-text query (`simple_query_string` syntax); empty matches everything. */
  q: string;
  /** Field filters, all of which must match. */
  filters: FieldFilter[];
  /** Window start, ms since epoch. */
  startMs: number;
  /** Window end, ms since epoch. */
  endMs: number;
  /** Offset of the first hit (paging). */
  from: number;
  /** Hits per page. */
  size: number;
}

/** One hit. */
export interface SearchHit {
  /** Document id. */
  id: string;
  /** Index it came from (always one of the tenant's). */
  index: string;
  /** Document time, ms since epoch, when known. */
  timeMs?: number;
  /** Document fields, flattened to dotted keys, values as strings. */
  fields: Record<string, string>;
  /**
   * Highlighted fragments per field. Matches are wrapped in U+E000 … U+E001 (private-use
   * characters) rather than HTML tags, so the page can render them without ever parsing HTML.
   */
  highlights: Record<string, string[]>;
}

/** A page of results. */
export interface SearchResult {
  /** Total matching documents (exact up to 10,000, then a lower bound). */
  total: number;
  /** Whether `total` is exact. */
  totalExact: boolean;
  /** The hits of this page. */
  hits: SearchHit[];
}

/** Highlight markers (see {@linkcode SearchHit.highlights}). */
export const HIGHLIGHT_START = "\ue000";
/** End marker of a highlight. */
export const HIGHLIGHT_END = "\ue001";

/** Longest search window (one index name per day). */
export const MAX_SEARCH_DAYS = 93;
const FIELD_RE = /^[A-Za-z0-9_@][A-Za-z0-9_.@-]{0,127}$/;
const TENANT_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The exact index names of a tenant for a window: one per UTC day, plus a day either side
 * because a document may be filed under its receive day rather than its event day.
 *
 * @example
 * ```ts
 * tenantIndices("acme", Date.UTC(2024, 0, 2, 12), Date.UTC(2024, 0, 2, 13));
 * // ["logs-acme-2024.01.01", "logs-acme-2024.01.02", "logs-acme-2024.01.03"]
 * ```
 */
export function tenantIndices(
  tenantId: string,
  startMs: number,
  endMs: number,
  prefix = "logs-",
): string[] {
  if (!TENANT_RE.test(tenantId)) throw new TypeError(`invalid tenant id ${tenantId}`);
  const day = 86_400_000;
  const first = Math.floor(startMs / day) - 1;
  const last = Math.floor(endMs / day) + 1;
  if (last - first + 1 > MAX_SEARCH_DAYS + 2) {
    throw badRequest(`the search window may span at most ${MAX_SEARCH_DAYS} days`);
  }
  const out: string[] = [];
  for (let d = first; d <= last; d++) {
    const iso = new Date(d * day).toISOString();
    out.push(`${prefix}${tenantId}-${iso.slice(0, 4)}.${iso.slice(5, 7)}.${iso.slice(8, 10)}`);
  }
  return out;
}

function flatten(obj: unknown, prefix: string, out: Record<string, string>, depth = 0): void {
  if (obj === null || obj === undefined) return;
  if (typeof obj !== "object" || Array.isArray(obj) || depth > 8) {
    out[prefix] = typeof obj === "string" ? obj : JSON.stringify(obj);
    return;
  }
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    flatten(v, prefix ? `${prefix}.${k}` : k, out, depth + 1);
  }
}

/**
 * Builds the `_search` body (exported for tests). Besides the user's query it filters on the
 * `tenant_id` keyword the forwarder writes into every document: a second fence behind the
 * index names.
 */
export function searchBody(
  q: SearchQuery,
  timeField: string,
  tenantId: string,
): Record<string, unknown> {
  const must = q.q.trim()
    ? [{
      simple_query_string: {
        query: q.q,
        default_operator: "and",
        // Leniency: a text query against numeric or date fields must not fail the search.
        lenient: true,
      },
    }]
    : [{ match_all: {} }];
  const filter: unknown[] = [
    { term: { tenant_id: tenantId } },
    { range: { [timeField]: { gte: q.startMs, lte: q.endMs, format: "epoch_millis" } } },
    ...q.filters.map((f) => ({ match_phrase: { [f.field]: f.value } })),
  ];
  return {
    from: q.from,
    size: q.size,
    track_total_hits: 10_000,
    query: { bool: { must, filter } },
    sort: [{ [timeField]: { order: "desc", unmapped_type: "date" } }, "_doc"],
    highlight: {
      // Only the user's words are marked, not the tenant/time/field filters.
      highlight_query: must[0],
      pre_tags: [HIGHLIGHT_START],
      post_tags: [HIGHLIGHT_END],
      require_field_match: false,
      number_of_fragments: 3,
      fragment_size: 300,
      fields: { "*": {} },
    },
  };
}

/**
 * Creates the search.
 *
 * @example
 * ```ts
 * const search = createOpenSearchSearch({ url: "http://127.0.0.1:9200" });
 * await search.search(tenant, { q: "timeout", filters: [], startMs, endMs, from: 0, size: 20 });
 * ```
 */
export function createOpenSearchSearch(opts: OpenSearchSearchOptions): {
  search(tenant: TenantScope, q: SearchQuery): Promise<SearchResult>;
} {
  const up = createUpstream({
    name: "OpenSearch",
    baseUrl: opts.url,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const prefix = opts.indexPrefix ?? "logs-";
  const timeField = opts.timeField ?? "@timestamp";

  return {
    async search(t, q) {
      if (!Number.isFinite(q.startMs) || !Number.isFinite(q.endMs) || q.endMs <= q.startMs) {
        throw badRequest("the time range must have start before end");
      }
      if (!Number.isSafeInteger(q.from) || q.from < 0) throw badRequest("from must be >= 0");
      if (!Number.isSafeInteger(q.size) || q.size < 1 || q.size > 100) {
        throw badRequest("size must be 1 to 100");
      }
      if (q.from + q.size > 10_000) throw badRequest("paging stops at 10,000 results");
      if (q.q.length > 4096) throw badRequest("the search text is longer than 4096 characters");
      if (q.filters.length > 20) throw badRequest("at most 20 field filters");
      for (const f of q.filters) {
        if (!FIELD_RE.test(f.field)) {
          throw badRequest(`invalid field name ${JSON.stringify(f.field)}`);
        }
        if (f.value.length > 1024) {
          throw badRequest("a filter value is longer than 1024 characters");
        }
      }
      const indices = tenantIndices(t.id, q.startMs, q.endMs, prefix);
      const allowed = new Set(indices);
      const { body } = await up.json<{
        hits?: {
          total?: { value?: number; relation?: string } | number;
          hits?: {
            _id?: string;
            _index?: string;
            _source?: unknown;
            highlight?: Record<string, string[]>;
          }[];
        };
      }>({
        method: "POST",
        path: `/${indices.join(",")}/_search`,
        params: { ignore_unavailable: "true", allow_no_indices: "true" },
        body: searchBody(q, timeField, t.id),
      });
      const total = body?.hits?.total;
      const hits: SearchHit[] = [];
      for (const h of body?.hits?.hits ?? []) {
        // Defence in depth: only documents from the indices we named.
        if (!h._index || !allowed.has(h._index)) continue;
        const fields: Record<string, string> = {};
        flatten(h._source, "", fields);
        const ts = fields[timeField];
        const timeMs = ts !== undefined ? Date.parse(ts) : NaN;
        hits.push({
          id: h._id ?? "",
          index: h._index,
          ...(Number.isFinite(timeMs) ? { timeMs } : {}),
          fields,
          highlights: h.highlight ?? {},
        });
      }
      return {
        total: typeof total === "number" ? total : total?.value ?? hits.length,
        totalExact: typeof total === "number" || total?.relation !== "gte",
        hits,
      };
    },
  };
}
