/**
 * Private helpers shared by the log translations (Loki and OpenSearch): level, timestamp and
 * body rendering of an OTLP log record.
 *
 * @module
 */
import { anyToJs, type AnyValueLike, has, int64, type Int64Like } from "./_otlp.ts";

/** The low-cardinality level label values. */
export type Level = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "unknown";

const TEXT_LEVELS: Record<string, Level> = {
  trace: "trace",
  debug: "debug",
  info: "info",
  information: "info",
  notice: "info",
  warn: "warn",
  warning: "warn",
  error: "error",
  err: "error",
  fatal: "fatal",
  critical: "fatal",
  crit: "fatal",
  alert: "fatal",
  emerg: "fatal",
  emergency: "fatal",
  panic: "fatal",
};

/**
 * The level of a record: from `severity_number` (OTLP data model ranges 1–4 TRACE … 21–24 FATAL),
 * else from a recognised `severity_text`, else `unknown`. Free text never becomes a label value,
 * so the label stays low-cardinality.
 */
export function levelOf(
  severityNumber: number | null | undefined,
  severityText: string | null | undefined,
): Level {
  const n = severityNumber ?? 0;
  if (n >= 1 && n <= 24) {
    return (["trace", "debug", "info", "warn", "error", "fatal"] as const)[
      Math.floor((n - 1) / 4)
    ]!;
  }
  const t = (severityText ?? "").trim().toLowerCase();
  return TEXT_LEVELS[t] ?? "unknown";
}

/** Latest nanosecond timestamp a Date can show (9999-12-31T23:59:59.999999999Z). */
const MAX_NS = 253402300799999999999n;

/**
 * The record time in Unix nanoseconds: `time_unix_nano`, else `observed_time_unix_nano`, else
 * the ingest receive time (the OTLP data model allows both to be 0).
 */
export function recordTimeNs(
  timeUnixNano: Int64Like | null | undefined,
  observedTimeUnixNano: Int64Like | null | undefined,
  fallbackMs: number,
): bigint {
  for (const v of [timeUnixNano, observedTimeUnixNano]) {
    const ns = int64(v);
    if (ns > 0n && ns <= MAX_NS) return ns;
  }
  return BigInt(fallbackMs) * 1_000_000n;
}

/** RFC 3339 with nanoseconds, UTC (`2024-05-01T12:00:00.123456789Z`). */
export function isoNanos(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString(); // …ss.mmmZ
  const frac = (ns % 1_000_000_000n).toString().padStart(9, "0");
  return `${iso.slice(0, 19)}.${frac}Z`;
}

/** The UTC day of a nanosecond timestamp as `YYYY.MM.DD` (daily index suffix). */
export function dayOf(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 10).replaceAll("-", ".");
}

/** The body as text: strings as is, maps and arrays as JSON, bytes as base64, others as text. */
export function renderBody(body: AnyValueLike | null | undefined): string {
  if (!body) return "";
  if (has(body, "stringValue")) return body.stringValue ?? "";
  const js = anyToJs(body);
  if (js === null || js === undefined) return "";
  if (typeof js === "string") return js;
  if (typeof js === "object") {
    return JSON.stringify(
      js,
      (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : x),
    );
  }
  return String(js);
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/**
 * Cuts `line` to at most `maxBytes` UTF-8 bytes, ending with a marker that says how much was
 * cut, on a character boundary. Lines within the limit are returned unchanged.
 */
export function truncateLine(line: string, maxBytes: number): { line: string; truncated: boolean } {
  // Fast path: 3 bytes per UTF-16 unit is the UTF-8 worst case.
  if (line.length * 3 <= maxBytes) return { line, truncated: false };
  const bytes = utf8.encode(line);
  if (bytes.length <= maxBytes) return { line, truncated: false };
  const marker = (cut: number) => `…[truncated ${cut} bytes]`;
  // The marker's own length depends on the number it shows; reserve for the widest.
  const reserve = utf8.encode(marker(bytes.length)).length;
  let end = Math.max(0, maxBytes - reserve);
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // do not split a character
  return {
    line: utf8d.decode(bytes.subarray(0, end)) + marker(bytes.length - end),
    truncated: true,
  };
}
