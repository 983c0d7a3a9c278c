/**
 * Query-parameter parsing for the console API, with the errors a user can act on.
 * @module
 */
import { badRequest } from "../lib/errors.ts";

/**
 * A time parameter: ms since epoch (digits), or an RFC 3339 timestamp. Missing → `fallback`.
 *
 * @example
 * ```ts
 * timeParam(new URL("http://x/?start=1700000000000"), "start", 0); // 1700000000000
 * ```
 */
export function timeParam(url: URL, name: string, fallback: number): number {
  const v = url.searchParams.get(name);
  if (v === null || v === "") return fallback;
  if (/^\d{1,16}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw badRequest(`${name} must be ms since epoch or an RFC 3339 time`);
  return t;
}

/** An integer parameter within [min, max]; missing → `fallback`. */
export function intParam(
  url: URL,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = url.searchParams.get(name);
  if (v === null || v === "") return fallback;
  if (!/^-?\d{1,12}$/.test(v)) throw badRequest(`${name} must be an integer`);
  const n = Number(v);
  if (n < min || n > max) throw badRequest(`${name} must be between ${min} and ${max}`);
  return n;
}

/** A string parameter, trimmed, bounded; missing or empty → undefined. */
export function stringParam(url: URL, name: string, maxLength = 1024): string | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return undefined;
  const t = v.trim();
  if (t === "") return undefined;
  if (t.length > maxLength) throw badRequest(`${name} is longer than ${maxLength} characters`);
  return t;
}

/** A time window from `start`/`end` (default: the last `defaultMs` up to now). */
export function windowParams(
  url: URL,
  now: number,
  defaultMs: number,
): { startMs: number; endMs: number } {
  const endMs = timeParam(url, "end", now);
  const startMs = timeParam(url, "start", endMs - defaultMs);
  if (endMs <= startMs) throw badRequest("start must be before end");
  return { startMs, endMs };
}
