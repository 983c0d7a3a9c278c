/**
 * Small response helpers shared by the console's routes: JSON bodies, errors mapped through
 * the one error→status function, and the security headers every response carries.
 * @module
 */
import { httpStatusOf } from "../../lib/errors.ts";

/**
 * Content-Security-Policy of every page: only the console's own scripts, styles, images and
 * API; no inline script, no framing, forms post only to the console.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** Adds the security headers (CSP, nosniff, referrer policy, no framing) to a response in place. */
export function secure(resp: Response): Response {
  const h = resp.headers;
  h.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  h.set("X-Content-Type-Options", "nosniff");
  // Not "no-referrer": with it, browsers send `Origin: null` on form POSTs (Fetch standard,
  // "serializing a request origin"), which the Origin check must refuse. "same-origin" keeps
  // the referrer from leaving the console and lets same-origin POSTs carry their origin.
  h.set("Referrer-Policy", "same-origin");
  h.set("X-Frame-Options", "DENY");
  h.set("Cross-Origin-Opener-Policy", "same-origin");
  if (!h.has("Cache-Control")) h.set("Cache-Control", "no-store");
  return resp;
}

/**
 * A JSON response.
 *
 * @example
 * ```ts
 * return json({ ok: true });
 * ```
 */
export function json(data: unknown, status = 200, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("Content-Type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(data), { status, headers: h });
}

/**
 * The JSON error response for any thrown value: `{ error, code }` with the status chosen by
 * `httpStatusOf` (an unknown error is a 500 whose message is hidden).
 */
export function errorResponse(err: unknown): Response {
  const info = httpStatusOf(err);
  const headers = new Headers();
  if (info.retryAfterSeconds !== undefined) {
    headers.set("Retry-After", String(info.retryAfterSeconds));
  }
  const code = (err as { code?: unknown })?.code;
  return json(
    { error: info.message, code: typeof code === "string" ? code : "internal" },
    info.status,
    headers,
  );
}
