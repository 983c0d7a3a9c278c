/**
 * The one small interface the console reads logs through, with a Loki (LogQL `query_range`,
 * `X-Scope-OrgID`) and a VictoriaLogs (LogsQL, numeric `AccountID`) implementation. The user's
 * simple filter is translated by each adapter; an expert query is passed through in the store's
 * own language while the tenant scope stays enforced by the adapter (a header the query cannot
 * change, plus a stream filter where the store supports one).
 * @module
 */
import { badRequest } from "../../lib/errors.ts";
import type { TenantScope } from "../traces/trace_reader.ts";

export type { TenantScope } from "../traces/trace_reader.ts";

/** One log line as the Logs view shows it. */
export interface LogEntry {
  /** Time in ns since epoch, as a decimal string (exact, for ordering). */
  timeNs: string;
  /** Time in ms since epoch (for display). */
  timeMs: number;
  /** The log message. */
  line: string;
  /** Severity (`level` stream label), empty if unknown. */
  level: string;
  /** `service_name` stream label, empty if unknown. */
  service: string;
  /** Other labels and fields. */
  fields: Record<string, string>;
}

/** A log query. */
export interface LogQuery {
  /** Window start, ms since epoch. */
  startMs: number;
  /** Window end, ms since epoch. */
  endMs: number;
  /** Most lines returned (newest first). */
  limit: number;
  /** Simple filter: text the line must contain. */
  text?: string;
  /** Simple filter: exact level. */
  level?: string;
  /** Simple filter: exact service. */
  service?: string;
  /** Expert query in the store's language (LogQL or LogsQL); replaces the simple filter. */
  expert?: string;
}

/** A log store's read side. */
export interface LogReader {
  /** Which backend this is. */
  readonly backend: "loki" | "victorialogs";
  /** The query language of the expert box. */
  readonly language: "LogQL" | "LogsQL";
  /** Lines of the tenant, newest first. */
  query(tenant: TenantScope, q: LogQuery): Promise<LogEntry[]>;
  /** Values of a stream label (`service_name`, `level`) in the tenant's logs. */
  labelValues(
    tenant: TenantScope,
    label: "service_name" | "level",
    startMs: number,
    endMs: number,
  ): Promise<string[]>;
}

/** Longest expert query accepted. */
export const MAX_EXPERT_QUERY = 8192;

/** Checks an expert query's size (the store parses it; we bound it). */
export function checkExpert(q: string): string {
  const t = q.trim();
  if (t.length > MAX_EXPERT_QUERY) {
    throw badRequest(`the query is longer than ${MAX_EXPERT_QUERY} characters`);
  }
  return t;
}

/** Sorts newest first (by exact ns time) and keeps `limit`. */
export function newestFirst(entries: LogEntry[], limit: number): LogEntry[] {
  return entries
    .sort((a, b) => {
      const x = BigInt(a.timeNs), y = BigInt(b.timeNs);
      return x > y ? -1 : x < y ? 1 : 0;
    })
    .slice(0, limit);
}

/** RFC 3339 (any fraction length) → ns since epoch as a decimal string; "0" if unparsable. */
export function rfc3339ToNs(s: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return "0";
  const secs = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(secs)) return "0";
  const frac = (m[2] ?? "").padEnd(9, "0");
  return (BigInt(secs) * 1_000_000n + BigInt(frac)).toString();
}
