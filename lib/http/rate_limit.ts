/**
 * Rate limiting at the HTTP edge: turns a limiter verdict into the error the one status mapping
 * (`httpStatusOf`) answers with `429` and `Retry-After`.
 * @module
 */
import { tooManyRequests } from "../errors.ts";
import type { RateLimiter } from "../tenant/rate_limiter.ts";
import type { Tenant } from "../tenant/tenant.ts";

/**
 * Charges one request of `bytes` (the body as received, before decompression, so the limit
 * costs nothing to check) to `tenant`; throws a 429 `ObstackError` with `retryAfterSeconds`
 * when over the limit.
 *
 * @example
 * ```ts
 * enforceRateLimit(limiter, tenant, body.byteLength); // before decoding the body
 * ```
 */
export function enforceRateLimit(
  limiter: RateLimiter,
  tenant: Pick<Tenant, "id" | "limits">,
  bytes: number,
): void {
  const r = limiter.take(tenant, bytes);
  if (!r.ok) throw tooManyRequests(r.retryAfterSeconds);
}

/**
 * Response headers for an error status: `Retry-After` (RFC 9110 §10.2.3, delay in seconds)
 * for 429/503, `WWW-Authenticate` for 401 (RFC 9110 §11.6.1), `Allow` for 405.
 */
export function errorHeaders(
  info: { status: number; retryAfterSeconds?: number },
  opts: { wwwAuthenticate?: string; allow?: readonly string[] } = {},
): Headers {
  const h = new Headers();
  if (info.retryAfterSeconds !== undefined) {
    h.set("retry-after", String(Math.max(0, Math.ceil(info.retryAfterSeconds))));
  }
  if (info.status === 401 && opts.wwwAuthenticate) h.set("www-authenticate", opts.wwwAuthenticate);
  if (info.status === 405 && opts.allow) h.set("allow", opts.allow.join(", "));
  return h;
}
